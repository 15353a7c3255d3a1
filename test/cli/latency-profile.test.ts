import { describe, expect, it } from 'vitest';
import { AWS_LATENCY } from '../../src/runtime/local/latency-profile';
import { ENGINES } from '../support/databases';
import { backfillTargets } from '../support/fixtures';
import { stateEnv, useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli } from './support/cli-process';
import { accountsCounts } from './support/table-checks';

const ROWS = 2_000;

describe.each(ENGINES)('lowtide run --local --latency-profile on %s', (engine) => {
  const t = useCliAccounts(engine, ROWS);
  const job = `test/cli/fixtures/backfill-${engine}.ts`;
  const args = () => ['--json', 'run', job, '--local', '--database-url', t.db.url, '--ms-per-second', '0'];

  it('refuses a profile it does not know, naming the ones there are, and changes nothing', async () => {
    const refused = await runCli([...args(), '--latency-profile', 'azure'], { env: stateEnv(t) });
    expect(refused.code).toBe(2);
    expect(refused.stdout + refused.stderr).toContain(
      "--latency-profile must be one of none, aws; got 'azure'",
    );
    expect((await accountsCounts(t.conn)).once).toBe(0);
  });

  it('runs the job to its end under the AWS profile, paying at least its control-loop latencies', async () => {
    const ran = await runCli([...args(), '--latency-profile', 'aws'], { env: stateEnv(t) });
    expect(ran.code, ran.stderr).toBe(0);
    const json = parseJson<{
      outcome: string;
      summary: { rowsChanged: number; batches: number; durationMs: number };
    }>(ran);
    expect(json.outcome).toBe('completed');
    expect(json.summary.rowsChanged).toBe(backfillTargets(ROWS));
    const counts = await accountsCounts(t.conn);
    expect(counts.once).toBe(backfillTargets(ROWS));
    expect(counts.twice).toBe(0);
    // A lower bound only: each batch enters at least six states and invokes three functions.
    const perBatch = 6 * AWS_LATENCY.stateTransitionMs + 3 * AWS_LATENCY.lambdaInvokeMs;
    expect(json.summary.batches).toBeGreaterThan(0);
    expect(json.summary.durationMs).toBeGreaterThanOrEqual(json.summary.batches * perBatch);
  });
});
