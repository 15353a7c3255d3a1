import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import { listRollbackConflicts, rollbackJobId } from '../../src/engine';
import { useE2e } from '../e2e/support/harness';
import { ENGINES } from '../support/databases';
import type { RawConnection } from '../support/raw-sql';
import { countRows, keyedJob } from './support/keyed-jobs';
import { createOrderLines, LINE_KEY, LINE_ROWS, OPEN_LINES, TENANTS } from './support/order-lines';

/** Every row's exact text, in key order: equal before and after means restored byte for byte. */
async function rowsOf(raw: RawConnection, table: string): Promise<string[]> {
  const rows = await raw.query<{ r: unknown }>(
    `SELECT concat_ws('|', tenant_id, order_id, line, status, applied_count, ord) AS r FROM ${table} ORDER BY ord`,
  );
  return rows.map((row) => String(row.r));
}

async function auditStates(raw: RawConnection, jobId: string): Promise<Record<string, number>> {
  const rows = await raw.query<{ s: string; n: unknown }>(
    `SELECT lowtide_state AS s, count(*) AS n FROM lowtide_audit_${jobId.replace(/-/g, '_')} GROUP BY lowtide_state`,
  );
  return Object.fromEntries(rows.map((r) => [r.s, Number(r.n)]));
}

describe.each(ENGINES)('rollback of a composite-key job (audit on) on %s', (engine) => {
  const update = keyedJob(engine, {
    id: 'keytests-undo-update',
    table: 'keytests_undo_update',
    key: [...LINE_KEY],
    kind: 'update',
    where: "status = 'open'",
    set: { status: "'billed'", applied_count: 'applied_count + 1' },
    rollback: { audit: true },
  });
  const purge = keyedJob(engine, {
    id: 'keytests-undo-delete',
    table: 'keytests_undo_delete',
    key: [...LINE_KEY],
    kind: 'delete',
    where: 'tenant_id IN (2, 3)',
    rollback: { audit: true },
  });
  // A tuple of binary, decimal and microsecond-timestamp columns: before-images found by key, exactly.
  const typed = keyedJob(engine, {
    id: 'keytests-undo-typed',
    table: 'keytests_undo_typed',
    key: ['token', 'amount', 'at'],
    kind: 'update',
    where: '1 = 1',
    set: { note: "'changed'", touched: 'touched + 1' },
    batch: { size: 7, min: 7, max: 7, targetMs: 200 },
    rollback: { audit: true },
  });
  const e2e = useE2e(engine, [update, purge, typed], {
    prepare: async (db) => {
      await createOrderLines(db.raw, engine, 'keytests_undo_update', { counted: false });
      await createOrderLines(db.raw, engine, 'keytests_undo_delete', { counted: false });
      const pg = engine === 'postgres';
      await db.raw.query(
        `CREATE TABLE keytests_undo_typed (token ${pg ? 'bytea' : 'varbinary(16)'} NOT NULL,
           amount ${pg ? 'numeric(30,10)' : 'decimal(30,10)'} NOT NULL, at ${pg ? 'timestamp(6)' : 'datetime(6)'} NOT NULL,
           note text NULL, touched int NOT NULL DEFAULT 0, PRIMARY KEY (token, amount, at))`,
      );
      const token = (i: number) => (pg ? `decode(md5('t${i % 4}'), 'hex')` : `UNHEX(MD5('t${i % 4}'))`);
      const rows = Array.from(
        { length: 40 },
        (_, i) =>
          `(${token(i)}, 12345678901234567890.012345678${i % 3}, '2024-01-01 00:00:00.00000${i % 5}', ${i % 6 === 0 ? 'NULL' : `'n${i}'`})`,
      );
      await db.raw.query(
        `INSERT INTO keytests_undo_typed (token, amount, at, note) VALUES ${rows.join(', ')}`,
      );
    },
  });

  it('update then rollback: every line restored exactly, except one the application changed since, reported by its key', async () => {
    const { runtime } = e2e.rt;
    const table = 'keytests_undo_update';
    const before = await rowsOf(e2e.db.raw, table);
    expect(await runtime.run({ jobId: update.id })).toMatchObject({ exit: 'Completed' });
    expect(await countRows(e2e.db.raw, table, "status = 'billed'")).toBe(OPEN_LINES);

    // The application changes one billed line after the job: the rollback must not overwrite it.
    const [changed] = await e2e.db.raw.query<{
      tenant_id: unknown;
      order_id: unknown;
      line: unknown;
      ord: unknown;
    }>(
      `SELECT tenant_id, order_id, line, ord FROM ${table} WHERE tenant_id = 2 AND status = 'billed' ORDER BY ord LIMIT 1`,
    );
    const where = `tenant_id = ${Number(changed!.tenant_id)} AND order_id = '${String(changed!.order_id)}' AND line = ${Number(changed!.line)}`;
    await e2e.db.raw.query(`UPDATE ${table} SET status = 'shipped' WHERE ${where}`);

    const undo = await runtime.run({ jobId: update.id, rollback: true });
    expect(undo).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const after = await rowsOf(e2e.db.raw, table);
    const at = Number(changed!.ord) - 1;
    expect(after[at]).toMatch(/\|shipped\|1\|/);
    expect([...after.slice(0, at), ...after.slice(at + 1)]).toEqual([
      ...before.slice(0, at),
      ...before.slice(at + 1),
    ]);
    expect(await auditStates(e2e.db.raw, update.id)).toEqual({ restored: OPEN_LINES - 1, conflict: 1 });

    const db = openDatabase(e2e.db.testDb.url);
    try {
      const conflicts = await listRollbackConflicts(db, update);
      expect(conflicts).toHaveLength(1);
      // The key is shown readably: every column of the tuple.
      const shown = JSON.stringify(conflicts[0]!.key);
      for (const part of [String(changed!.tenant_id), String(changed!.order_id), String(changed!.line)])
        expect(shown).toContain(part);
      expect(conflicts[0]!.changedColumns).toEqual(expect.arrayContaining(['status', 'applied_count']));
    } finally {
      await db.close();
    }
    expect(await runtime.store.getJob(rollbackJobId(update.id))).toMatchObject({ status: 'completed' });
  });

  it('delete then rollback: the deleted tenants are back, identical', async () => {
    const { runtime } = e2e.rt;
    const table = 'keytests_undo_delete';
    const before = await rowsOf(e2e.db.raw, table);
    expect(await runtime.run({ jobId: purge.id })).toMatchObject({ exit: 'Completed' });
    expect(await countRows(e2e.db.raw, table)).toBe(LINE_ROWS - (LINE_ROWS / TENANTS) * 2);

    const undo = await runtime.run({ jobId: purge.id, rollback: true });
    expect(undo).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await rowsOf(e2e.db.raw, table)).toEqual(before);
    expect(await auditStates(e2e.db.raw, purge.id)).toEqual({ restored: (LINE_ROWS / TENANTS) * 2 });
  });

  it('update then rollback over a (binary, decimal, timestamp(6)) key: every row back, byte for byte', async () => {
    const { runtime } = e2e.rt;
    const pg = engine === 'postgres';
    const text = pg
      ? "concat_ws('|', encode(token, 'hex'), amount::text, at::text, coalesce(note, '<null>'), touched::text)"
      : "concat_ws('|', HEX(token), amount, at, coalesce(note, '<null>'), touched)";
    const snapshot = async () =>
      (
        await e2e.db.raw.query<{ r: unknown }>(
          `SELECT ${text} AS r FROM keytests_undo_typed ORDER BY token, amount, at`,
        )
      ).map((row) => String(row.r));
    const before = await snapshot();
    expect(before).toHaveLength(40);
    expect(await runtime.run({ jobId: typed.id })).toMatchObject({ exit: 'Completed' });
    expect(await countRows(e2e.db.raw, 'keytests_undo_typed', "note = 'changed' AND touched = 1")).toBe(40);
    const undo = await runtime.run({ jobId: typed.id, rollback: true });
    expect(undo).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await snapshot()).toEqual(before);
    expect(await auditStates(e2e.db.raw, typed.id)).toEqual({ restored: 40 });
  });
});
