import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets } from '../support/fixtures';
import { useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli } from './support/cli-process';
import { accountsChecksum, accountsCounts, tableExists } from './support/table-checks';

const ROWS = 20_000;

interface PlanJson {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; reason: string }>;
  estimate: { rows: number; batches: number; durationMs?: number };
  sample?: { status: string; mode?: string; rows?: number };
}

interface RunJson {
  ok: boolean;
  jobId: string;
  outcome: string;
  exitCode: number;
  rowsDone: number;
  executions: string[];
  summary: {
    rowsChanged: number;
    batches: number;
    durationMs: number;
    rowsPerSecond: number;
    batchMs: { p50: number; p99: number; max: number };
    pauses: number;
    retries: number;
  };
}

function withinTwice(estimate: number, actual: number): boolean {
  return estimate >= actual / 2 && estimate <= actual * 2;
}

describe.each(ENGINES)('lowtide plan and run --local on %s', (engine) => {
  const t = useCliAccounts(engine, ROWS);
  const job = `test/cli/fixtures/backfill-${engine}.ts`;
  let plan: PlanJson;
  let run: RunJson;

  it('plan changes nothing, and its estimates are within 2x of the real run', async () => {
    const before = await accountsChecksum(t.conn, engine);
    const planned = await runCli(['--json', 'plan', job, '--database-url', t.db.url], {
      env: { LOWTIDE_STATE_DIR: t.state.dir },
    });
    expect(planned.code, planned.stderr).toBe(0);
    plan = parseJson<PlanJson>(planned);
    expect(plan.ok).toBe(true);
    expect(plan.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['server-role', 'key-index', 'selection-plan']),
    );
    expect(plan.checks.every((c) => c.ok && c.reason.length > 0)).toBe(true);
    // The sample batch really ran the change (then rolled back), so the timing is a real batch's.
    expect(plan.sample).toMatchObject({
      status: 'measured',
      mode: 'applied',
      rows: 500,
      attemptsMs: [expect.any(Number), expect.any(Number), expect.any(Number)],
    });
    expect(plan.estimate.durationMs).toBeGreaterThan(0);

    expect(await accountsChecksum(t.conn, engine)).toBe(before);
    expect(await tableExists(t.conn, engine, 'lowtide_ledger')).toBe(false);

    const ran = await runCli(['--json', 'run', job, '--local', '--database-url', t.db.url], {
      env: { LOWTIDE_STATE_DIR: t.state.dir },
    });
    expect(ran.code, ran.stderr).toBe(0);
    run = parseJson<RunJson>(ran);
    const compared = `estimated ${plan.estimate.rows} rows in ${plan.estimate.batches} batches, ran ${run.summary.rowsChanged} in ${run.summary.batches}`;
    expect(withinTwice(plan.estimate.rows, run.summary.rowsChanged), compared).toBe(true);
    expect(withinTwice(plan.estimate.batches, run.summary.batches), compared).toBe(true);
  });

  it('run --local completes the job, and its --json output matches the table', async () => {
    expect(run).toMatchObject({
      ok: true,
      outcome: 'completed',
      exitCode: 0,
      jobId: `cli-backfill-${engine}`,
    });
    const counts = await accountsCounts(t.conn);
    expect(counts).toEqual({ once: backfillTargets(ROWS), twice: 0, pending: 0, legacyTouched: 0 });
    expect(run.summary.rowsChanged).toBe(counts.once);
    expect(run.rowsDone).toBe(counts.once);
    const [ledger] = await t.conn.query<{ batches: unknown; rows: unknown }>(
      `SELECT COUNT(*) AS batches, SUM(affected) AS ${engine === 'postgres' ? '"rows"' : '`rows`'} FROM lowtide_ledger`,
    );
    expect(Number(ledger!.batches)).toBe(run.summary.batches);
    expect(Number(ledger!.rows)).toBe(counts.once);
    const { p50, p99, max } = run.summary.batchMs;
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);

    const status = await runCli(['--json', 'status', `cli-backfill-${engine}`], {
      env: { LOWTIDE_STATE_DIR: t.state.dir },
    });
    expect(status.code, status.stderr).toBe(0);
    const shown = parseJson<{ state: { status: string; checkpoint: { rowsDone: number; batchNo: number } } }>(
      status,
    );
    expect(shown.state.status).toBe('completed');
    expect(shown.state.checkpoint).toMatchObject({ rowsDone: counts.once, batchNo: run.summary.batches });
  });

  it('exits 3 with the reasons when preflight refuses, from plan and from run, changing nothing', async () => {
    const blocked = `test/cli/fixtures/blocked-${engine}.ts`;
    const before = await accountsChecksum(t.conn, engine);
    const planned = await runCli(['plan', blocked, '--database-url', t.db.url]);
    expect(planned.code, planned.stderr).toBe(3);
    expect(planned.stdout).toMatch(/FAIL\s+table-exists/);
    expect(planned.stdout).toContain('preflight refused');

    const ran = await runCli(['--json', 'run', blocked, '--local', '--database-url', t.db.url], {
      env: { LOWTIDE_STATE_DIR: t.state.dir },
    });
    expect(ran.code, ran.stderr).toBe(3);
    const body = parseJson<{ outcome: string; reason: string; summary: { batches: number } }>(ran);
    expect(body.outcome).toBe('blocked');
    expect(body.reason).toContain('table-exists');
    expect(body.summary.batches).toBe(0);
    expect(await accountsChecksum(t.conn, engine)).toBe(before);
  });
});
