import { describe, expect, it } from 'vitest';
import { tableChecksum } from '../support/checksum';
import { ENGINES } from '../support/databases';
import { localArgs, stateEnv, useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli } from './support/cli-process';
import { tableExists } from './support/table-checks';

const ROWS = 1_000;

interface Conflict {
  readonly key: string;
  readonly reason: string;
  readonly changedColumns: string[];
}

describe.each(ENGINES)('lowtide rollback and lowtide audit on %s', (engine) => {
  const t = useCliAccounts(engine, ROWS);
  const jobFile = `test/cli/fixtures/rollback-backfill-${engine}.ts`;
  const jobId = `cli-rollback-${engine}`;
  const auditTable = `lowtide_audit_cli_rollback_${engine}`;
  const cli = (...args: string[]) => runCli(args, { env: stateEnv(t) });

  it('restores the job, reports and leaves the row the application changed, then drops the audit data', async () => {
    const before = await tableChecksum(t.conn, engine, 'accounts');
    const run = await cli('--json', ...localArgs(t, 'run', jobFile, 0));
    expect(run.code, run.stderr).toBe(0);
    expect(await tableChecksum(t.conn, engine, 'accounts')).not.toBe(before);

    // Nothing restored yet and the job is fresh: dropping the before-images is refused.
    const refused = await cli('audit', 'drop', jobFile, '--database-url', t.db.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/could still be rolled back.*retentionDays is 7.*--force/);
    expect(await tableExists(t.conn, engine, auditTable)).toBe(true);

    // The application writes a row after the job changed it.
    await t.conn.query("UPDATE accounts SET tier = 'platinum' WHERE id = 3");

    const undo = await cli('--json', ...localArgs(t, 'rollback', jobFile, 0));
    expect(undo.code, undo.stderr).toBe(0);
    const report = parseJson<{
      outcome: string;
      rollbackJobId: string;
      conflicts: Conflict[];
      moreConflicts: boolean;
      rowsDone: number;
      summary: { rowsChanged: number; batches: number };
    }>(undo);
    // One count: the run's summary is the rollback's ledger.
    const [ledger] = await t.conn.query<{ done_rows: unknown; batches: unknown }>(
      `SELECT max(rows_done) AS done_rows, count(*) AS batches FROM lowtide_ledger WHERE job_id = '${jobId}-rollback'`,
    );
    expect(report.summary).toMatchObject({
      rowsChanged: Number(ledger!.done_rows),
      batches: Number(ledger!.batches),
    });
    expect(report.rowsDone).toBe(Number(ledger!.done_rows));
    expect(report).toMatchObject({
      outcome: 'completed',
      rollbackJobId: `${jobId}-rollback`,
      moreConflicts: false,
    });
    expect(report.conflicts).toHaveLength(1);
    expect(report.conflicts[0]).toMatchObject({ key: '3', changedColumns: ['tier', 'applied_count'] });
    expect(report.conflicts[0]!.reason).toMatch(/changed by the application after lowtide updated it/);

    const listed = await cli('--json', 'audit', 'conflicts', jobFile, '--database-url', t.db.url);
    expect(listed.code, listed.stderr).toBe(0);
    expect(parseJson<{ conflicts: Conflict[] }>(listed).conflicts).toEqual(report.conflicts);

    const [row] = await t.conn.query<{ tier: string; applied_count: unknown }>(
      'SELECT tier, applied_count FROM accounts WHERE id = 3',
    );
    expect([row!.tier, Number(row!.applied_count)]).toEqual(['platinum', 1]);
    // Every other row is exactly as before the job: put row 3 back by hand and the whole table matches.
    await t.conn.query('UPDATE accounts SET tier = NULL, applied_count = 0 WHERE id = 3');
    expect(await tableChecksum(t.conn, engine, 'accounts')).toBe(before);

    const dropped = await cli('--json', 'audit', 'drop', jobFile, '--database-url', t.db.url);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(parseJson(dropped)).toMatchObject({ dropped: true });
    expect(await tableExists(t.conn, engine, auditTable)).toBe(false);
  });
});

describe('lowtide rollback of a job without before-images', () => {
  it('is refused with exit 2 before any database is touched', async () => {
    const result = await runCli(['rollback', 'test/cli/fixtures/backfill-postgres.ts', '--local']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ran without rollback.audit.*rollback: \{ audit: true \}/);
  });
});
