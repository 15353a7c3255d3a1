import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets } from '../support/fixtures';
import type { RawConnection } from '../support/raw-sql';
import { useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli, spawnCli } from './support/cli-process';
import { accountsCounts } from './support/table-checks';

const ROWS = 3_000;

async function ledgerBatches(conn: RawConnection): Promise<number> {
  try {
    const [row] = await conn.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM lowtide_ledger');
    return Number(row!.n);
  } catch {
    return 0; // the run has not created its ledger yet
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(ENGINES)('pause from a second process on %s', (engine) => {
  const t = useCliAccounts(engine, ROWS);
  const jobFile = `test/cli/fixtures/slow-backfill-${engine}.ts`;
  const jobId = `cli-slow-backfill-${engine}`;

  it('pauses a running job; resume and run complete it with no row changed twice', async () => {
    const env = { LOWTIDE_STATE_DIR: t.state.dir };
    // 24 batches of 100 rows with 300 ms of pacing after each: over 7 s, so the pause from a second
    // process lands in the middle even when a busy machine starts that process slowly.
    const first = spawnCli(
      ['--json', 'run', jobFile, '--local', '--database-url', t.db.url, '--ms-per-second', '300'],
      {
        env,
      },
    );
    await until(async () => (await ledgerBatches(t.conn)) >= 2, 30_000, 'the run to apply two batches');

    const paused = await runCli(['pause', jobId, '--reason', 'test pause', '--by', 'second-terminal'], {
      env,
    });
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('pause requested');

    const firstRun = await first.done;
    expect(firstRun.code, firstRun.stderr).toBe(4);
    const firstJson = parseJson<{ outcome: string; summary: { rowsChanged: number } }>(firstRun);
    expect(firstJson.outcome).toBe('paused');

    const midway = await accountsCounts(t.conn);
    expect(midway.once).toBe(firstJson.summary.rowsChanged);
    expect(midway.once).toBeGreaterThan(0);
    expect(midway.once).toBeLessThan(backfillTargets(ROWS));
    expect(midway.twice).toBe(0);

    const status = parseJson<{
      state: { status: string; pauseRequests: Array<{ by: string; message?: string }> };
    }>(await runCli(['--json', 'status', jobId], { env }));
    expect(status.state.status).toBe('paused');
    expect(status.state.pauseRequests).toEqual([
      expect.objectContaining({ by: 'second-terminal', message: 'test pause' }),
    ]);

    const resumed = await runCli(['resume', jobId], { env });
    expect(resumed.code, resumed.stderr).toBe(0);

    const second = await runCli(
      ['--json', 'run', jobFile, '--local', '--database-url', t.db.url, '--ms-per-second', '0'],
      {
        env,
      },
    );
    expect(second.code, second.stderr).toBe(0);
    const secondJson = parseJson<{ outcome: string; rowsDone: number; summary: { rowsChanged: number } }>(
      second,
    );
    expect(secondJson.outcome).toBe('completed');
    expect(firstJson.summary.rowsChanged + secondJson.summary.rowsChanged).toBe(backfillTargets(ROWS));
    expect(secondJson.rowsDone).toBe(backfillTargets(ROWS));

    expect(await accountsCounts(t.conn)).toEqual({
      once: backfillTargets(ROWS),
      twice: 0,
      pending: 0,
      legacyTouched: 0,
    });
  });
});
