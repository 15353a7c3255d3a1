import { describe, expect, it } from 'vitest';
import { DbError } from '../../src/db/types';
import {
  AuditRetentionError,
  dropAudit,
  installLedger,
  listRollbackConflicts,
  readLedger,
  rollbackJob,
  runPreflight,
} from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import { tableChecksum } from '../support/checksum';
import { ENGINES } from '../support/databases';
import { interceptBatchQueries, runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts, TIER_EXPRESSION } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';

const ROWS = 4000;

describe.each(ENGINES)('rollback on %s', (engine) => {
  const t = useEngineDatabase(engine);

  const checksum = (table: string) => tableChecksum(t.raw, engine, table);

  const common = (id: string, table: string) =>
    ({
      id,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      key: 'id',
      batch: { size: 300, min: 100, max: 300 },
      rollback: { audit: true },
    }) as const;

  async function applyThenRollback(spec: JobSpec) {
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);
    const undo = rollbackJob(spec);
    expect((await runPreflight({ spec: undo, db: t.db })).ok).toBe(true);
    await installLedger(t.db, undo);
    return runUntilDone(undo, t.db);
  }

  it('backfill then rollback leaves the table identical', async () => {
    await createAccounts(t.raw, engine, ROWS, 'backfilled');
    const before = await checksum('backfilled');
    const spec = defineJob({
      ...common('backfill-undo', 'backfilled'),
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1', note: "'overwritten'" },
    });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);
    expect(await checksum('backfilled')).not.toBe(before);

    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);
    const result = await runUntilDone(undo, t.db);

    expect(result.rows).toBe(ROWS - ROWS / 5);
    expect(await checksum('backfilled')).toBe(before);
    expect(await listRollbackConflicts(t.db, spec)).toEqual([]);
  });

  it('purge then rollback brings the deleted rows back, identical', async () => {
    await createAccounts(t.raw, engine, ROWS, 'purged');
    const before = await checksum('purged');
    const spec = defineJob({ ...common('purge-undo', 'purged'), kind: 'delete', where: 'id % 2 = 0' });
    await applyThenRollback(spec);
    expect(await checksum('purged')).toBe(before);
  });

  it('archive then rollback moves the rows back and empties the archive', async () => {
    await createAccounts(t.raw, engine, ROWS, 'archived');
    await t.raw.query(
      engine === 'postgres'
        ? 'CREATE TABLE archived_old (LIKE archived INCLUDING ALL)'
        : 'CREATE TABLE archived_old LIKE archived',
    );
    const before = await checksum('archived');
    const spec = defineJob({
      ...common('archive-undo', 'archived'),
      kind: 'archive',
      where: 'id < 3000',
      archiveTable: 'archived_old',
    });
    await applyThenRollback(spec);
    expect(await checksum('archived')).toBe(before);
    expect(Number((await t.raw.query<{ n: unknown }>('SELECT count(*) AS n FROM archived_old'))[0]!.n)).toBe(
      0,
    );
  });

  it('leaves and reports a row the application changed after the job, unless forced', async () => {
    await createAccounts(t.raw, engine, 1000, 'conflicted');
    const spec = defineJob({
      ...common('conflict-undo', 'conflicted'),
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: "'standard'" },
    });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);
    await t.raw.query("UPDATE conflicted SET tier = 'platinum' WHERE id = 3");
    await t.raw.query('DELETE FROM conflicted WHERE id = 6');

    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);
    await runUntilDone(undo, t.db);

    const rows = await t.raw.query<{ id: unknown; tier: string | null }>(
      'SELECT id, tier FROM conflicted WHERE id IN (3, 6, 9) ORDER BY id',
    );
    expect(rows.map((r) => [Number(r.id), r.tier])).toEqual([
      [3, 'platinum'],
      [9, null],
    ]);
    const conflicts = await listRollbackConflicts(t.db, spec);
    expect(conflicts.map((c) => c.key)).toEqual(['3', '6']);
    expect(conflicts[0]!.reason).toMatch(/changed by the application/);
    expect(conflicts[0]!.changedColumns).toEqual(['tier']);
    expect(conflicts[1]!.reason).toMatch(/deleted by the application/);
  });

  it('reports a row the application deleted and recreated as possibly recreated, and a purged key written again as recreated', async () => {
    await createAccounts(t.raw, engine, 200, 'recreated');
    const spec = defineJob({
      ...common('recreate-undo', 'recreated'),
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: "'standard'" },
    });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);
    const copy = `SELECT id, 'app', lifetime_value, note, applied_count, created_at FROM recreated WHERE id = 3`;
    await t.raw.query(`CREATE TABLE recreated_row AS ${copy}`);
    await t.raw.query('DELETE FROM recreated WHERE id = 3');
    await t.raw.query('INSERT INTO recreated SELECT * FROM recreated_row');
    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);
    await runUntilDone(undo, t.db);
    const [updated] = await listRollbackConflicts(t.db, spec);
    expect(updated).toMatchObject({ key: '3', changedColumns: ['tier'] });
    expect(updated!.reason).toMatch(/deleted and recreated with the same key/);

    await createAccounts(t.raw, engine, 200, 'repurged');
    const purge = defineJob({ ...common('repurge-undo', 'repurged'), kind: 'delete', where: 'id <= 30' });
    await installLedger(t.db, purge);
    await runUntilDone(purge, t.db);
    await t.raw.query(
      `INSERT INTO repurged (id, tier, applied_count, created_at) SELECT id, 'app', 0, created_at FROM recreated WHERE id = 6`,
    );
    const undoPurge = rollbackJob(purge);
    await installLedger(t.db, undoPurge);
    await runUntilDone(undoPurge, t.db);
    const [removed] = await listRollbackConflicts(t.db, purge);
    expect(removed?.key).toBe('6');
    expect(removed!.reason).toMatch(/^recreated by the application after lowtide removed it/);
  });

  it('an interrupted rollback resumes and restores every row exactly once', async () => {
    await createAccounts(t.raw, engine, ROWS, 'interrupted');
    const before = await checksum('interrupted');
    const spec = defineJob({
      ...common('interrupt-undo', 'interrupted'),
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: "'x'", applied_count: 'applied_count + 1' },
    });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);
    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);

    // Kill the third rollback batch's connection just before its ledger row.
    let ledgerWrites = 0;
    const killer = await connectRaw(t.testDb);
    const killing = interceptBatchQueries(t.db, async (tx, text) => {
      if (text.startsWith('INSERT INTO') && text.includes(undo.ledgerTable) && ++ledgerWrites === 3) {
        if (engine === 'postgres') await killer.query('SELECT pg_terminate_backend($1)', [tx.connectionId]);
        else await killer.query(`KILL ${Number(tx.connectionId)}`);
      }
    });
    const error = await runUntilDone(undo, killing).catch((e: unknown) => e);
    await killer.close();
    expect(error).toBeInstanceOf(DbError);
    expect(await readLedger(t.db, undo)).toMatchObject({ batchNo: 2 });

    await runUntilDone(undo, t.db);
    expect(await checksum('interrupted')).toBe(before);
    const states = await t.raw.query<{ s: string; n: unknown }>(
      'SELECT lowtide_state AS s, count(*) AS n FROM lowtide_audit_interrupt_undo GROUP BY lowtide_state',
    );
    expect(states.map((r) => [r.s, Number(r.n)])).toEqual([['restored', ROWS - ROWS / 5]]);
  });

  it('round-trips every type exactly: numerics, timestamps with zones, json, binary, NULLs', async () => {
    if (engine === 'postgres') {
      await t.raw.query(`CREATE TABLE typed (id bigint PRIMARY KEY, amount numeric(30,10), ratio double precision,
        at timestamptz(6), local_at timestamp(6), doc jsonb, raw_doc json, payload bytea, label text, flag boolean)`);
      await t.raw.query(`INSERT INTO typed SELECT n, 12345678901234567890.0123456789 / n, 1.0 / n,
        timestamptz '2024-03-10 01:59:59.123456+05:30' + n * interval '1 microsecond', timestamp '1999-12-31 23:59:59.999999',
        jsonb_build_object('n', n, 'nested', jsonb_build_array(1.50, 'x', NULL)), CAST('{"b": 1,  "a": [1, 2]}' AS json),
        decode(lpad(to_hex(n), 8, '0') || '00ff', 'hex'), CASE WHEN n % 3 = 0 THEN NULL ELSE 'é ' || n END, CASE WHEN n % 2 = 0 THEN NULL ELSE true END
        FROM generate_series(1, 500) n`);
    } else {
      await t.raw.query(`CREATE TABLE typed (id bigint PRIMARY KEY, amount decimal(30,10), ratio double,
        at timestamp(6) NULL, local_at datetime(6), doc json, raw_doc longtext, payload varbinary(64), label text, flag tinyint(1)) DEFAULT CHARSET=utf8mb4`);
      await t.raw.query(`INSERT INTO typed SELECT seq, 12345678901234567890.0123456789 / seq, 1.0e0 / seq,
        TIMESTAMP '2024-03-10 01:59:59.123456' + INTERVAL seq MICROSECOND, TIMESTAMP '1999-12-31 23:59:59.999999',
        JSON_OBJECT('n', seq, 'nested', JSON_ARRAY(1.50, 'x', NULL)), '{"b": 1,  "a": [1, 2]}',
        UNHEX(CONCAT(LPAD(HEX(seq), 8, '0'), '00FF')), IF(seq % 3 = 0, NULL, CONCAT('é ', seq)), IF(seq % 2 = 0, NULL, 1)
        FROM seq_1_to_500`);
    }
    const before = await checksum('typed');
    const update = defineJob({
      ...common('typed-update', 'typed'),
      kind: 'update',
      where: 'id > 0',
      set: {
        amount: '0',
        ratio: '0',
        at: 'NULL',
        local_at: 'NULL',
        doc: 'NULL',
        raw_doc: 'NULL',
        payload: 'NULL',
        label: "'changed'",
        flag: 'NULL',
      },
    });
    await applyThenRollback(update);
    expect(await checksum('typed')).toBe(before);

    const purge = defineJob({ ...common('typed-purge', 'typed'), kind: 'delete', where: 'id % 2 = 1' });
    await applyThenRollback(purge);
    expect(await checksum('typed')).toBe(before);
  });

  it('refuses to drop audit data a rollback might still want, unless forced', async () => {
    await createAccounts(t.raw, engine, 500, 'retained');
    const spec = defineJob({
      ...common('retained-job', 'retained'),
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: "'x'" },
    });
    await installLedger(t.db, spec);
    await runUntilDone(spec, t.db);

    await expect(dropAudit(t.db, spec)).rejects.toThrow(AuditRetentionError);
    await expect(dropAudit(t.db, spec)).rejects.toThrow(/before-images could still be rolled back/);
    expect(await dropAudit(t.db, spec, { now: new Date(Date.now() + 8 * 86_400_000) })).toBe(true);
    expect(await dropAudit(t.db, spec)).toBe(false);

    const again = defineJob({
      ...common('retained-two', 'retained'),
      kind: 'update',
      where: "tier = 'x'",
      set: { tier: "'y'" },
    });
    await installLedger(t.db, again);
    await runUntilDone(again, t.db);
    expect(await dropAudit(t.db, again, { force: true })).toBe(true);
  });
});
