import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets } from '../support/fixtures';
import { useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli } from './support/cli-process';
import { accountsChecksum, accountsCounts } from './support/table-checks';

const ROWS = 2_000;

describe.each(ENGINES)('lowtide plan and run --local with a feature flag on %s', (engine) => {
  const t = useCliAccounts(engine, ROWS);
  const job = `test/cli/fixtures/flagged-backfill-${engine}.ts`;
  let dir: string;
  let flags: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lowtide-cli-flags-'));
    flags = join(dir, 'lowtide.flags.json');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const env = () => ({ LOWTIDE_STATE_DIR: t.state.dir, LOWTIDE_FLAGS: flags });
  const setFlag = (enabled: boolean) => writeFile(flags, JSON.stringify({ maintenance: { enabled } }));

  it('plan and run refuse while the flags file says off (exit 3), changing nothing', async () => {
    await setFlag(false);
    const before = await accountsChecksum(t.conn, engine);
    const planned = await runCli(['plan', job, '--database-url', t.db.url], { env: env() });
    expect(planned.code, planned.stderr).toBe(3);
    expect(planned.stdout).toMatch(/FAIL\s+feature-flag\s+flag:maintenance: feature flag maintenance is off/);

    const ran = await runCli(['--json', 'run', job, '--local', '--database-url', t.db.url], { env: env() });
    expect(ran.code, ran.stderr).toBe(3);
    expect(parseJson<{ outcome: string; reason: string }>(ran)).toMatchObject({ outcome: 'blocked' });
    expect(await accountsChecksum(t.conn, engine)).toBe(before);
  });

  it('a missing flags file counts as off, with the error', async () => {
    const planned = await runCli(['plan', job, '--database-url', t.db.url], {
      env: { ...env(), LOWTIDE_FLAGS: join(dir, 'missing.json') },
    });
    expect(planned.code).toBe(3);
    expect(planned.stdout).toMatch(
      /feature flag maintenance could not be read, so it counts as off: flags file .*missing\.json cannot be read/,
    );
  });

  it('with the flag on, plan reports estimatedWriteBytes and run completes', async () => {
    await setFlag(true);
    const planned = await runCli(['--json', 'plan', job, '--database-url', t.db.url], { env: env() });
    expect(planned.code, planned.stderr).toBe(0);
    const plan = parseJson<{ estimatedWriteBytes: number; writeEstimate: { basis: string; rows: number } }>(
      planned,
    );
    expect(plan.writeEstimate.basis).toBe('measured');
    expect(plan.estimatedWriteBytes).toBeGreaterThan(plan.writeEstimate.rows * 20);
    const text = await runCli(['plan', job, '--database-url', t.db.url], { env: env() });
    expect(text.stdout).toMatch(
      /estimated writes:\s+[\d.]+ (KiB|MiB) \((WAL|redo log) measured over a rolled-back sample of 500 rows/,
    );

    const ran = await runCli(['run', job, '--local', '--database-url', t.db.url], { env: env() });
    expect(ran.code, ran.stderr).toBe(0);
    expect((await accountsCounts(t.conn)).once).toBe(backfillTargets(ROWS));
  });
});
