import { describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import { ENGINES } from '../support/databases';
import type { TupleWrites } from '../support/tuple-writes';
import { walkedInKeyOrder } from '../support/tuple-writes';
import { countRows, keyedJob, ledgerOf } from './support/keyed-jobs';
import {
  createLinesArchive,
  createOrderLines,
  LINE_KEY,
  LINE_ROWS,
  OPEN_LINES,
  TENANTS,
} from './support/order-lines';

describe.each(ENGINES)('a composite key of mixed types on %s', (engine) => {
  const update = keyedJob(engine, {
    id: 'keytests-lines-update',
    table: 'keytests_lines_update',
    key: [...LINE_KEY],
    kind: 'update',
    where: "status = 'open'",
    set: { status: "'billed'", applied_count: 'applied_count + 1' },
  });
  const purge = keyedJob(engine, {
    id: 'keytests-lines-delete',
    table: 'keytests_lines_delete',
    key: [...LINE_KEY],
    kind: 'delete',
    where: 'line % 2 = 0',
  });
  const archive = keyedJob(engine, {
    id: 'keytests-lines-archive',
    table: 'keytests_lines_archive',
    key: [...LINE_KEY],
    kind: 'archive',
    where: 'tenant_id IN (2, 3)',
    archiveTable: 'keytests_lines_archived',
  });
  // A unique index over NOT NULL columns (not the primary key) serves as well.
  const byUnique = keyedJob(engine, {
    id: 'keytests-lines-unique',
    table: 'keytests_lines_unique',
    key: [...LINE_KEY],
    kind: 'update',
    where: "status = 'open'",
    set: { status: "'billed'", applied_count: 'applied_count + 1' },
  });
  const counters: Record<string, TupleWrites> = {};
  const e2e = useE2e(engine, [update, purge, archive, byUnique], {
    prepare: async (db) => {
      for (const table of ['keytests_lines_update', 'keytests_lines_delete', 'keytests_lines_archive'])
        counters[table] = (await createOrderLines(db.raw, engine, table))!;
      counters.keytests_lines_unique = (await createOrderLines(db.raw, engine, 'keytests_lines_unique', {
        keyedBy: 'unique-index',
      }))!;
      await createLinesArchive(db.raw, engine, 'keytests_lines_archived', 'keytests_lines_archive');
    },
  });

  async function expectCompleted(jobId: string, rows: number) {
    const state = await e2e.rt.runtime.store.getJob(jobId);
    expect(state?.status).toBe('completed');
    const ledger = await ledgerOf(e2e.db.raw, jobId);
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));
    expect(Number(ledger.at(-1)!.rows_done)).toBe(rows);
    expect(state?.checkpoint).toMatchObject({ batchNo: ledger.length, rowsDone: rows });
    // 50-row batches: the walk really was batched, not one statement.
    expect(ledger.length).toBeGreaterThanOrEqual(Math.ceil(rows / 50));
  }

  it.each([
    ['the primary key', update, 'keytests_lines_update'],
    ['a unique index', byUnique, 'keytests_lines_unique'],
  ])(
    'update keyed by %s: every open line once, in key order; closed lines untouched',
    async (_, job, table) => {
      const result = await e2e.rt.runtime.run({ jobId: job.id });
      expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
      const writes = counters[table]!;
      expect(await writes.histogram()).toEqual([[1, OPEN_LINES]]);
      expect(await countRows(e2e.db.raw, table, "status = 'billed' AND applied_count = 1")).toBe(OPEN_LINES);
      expect(await countRows(e2e.db.raw, table, "status = 'closed' AND applied_count = 0")).toBe(
        LINE_ROWS - OPEN_LINES,
      );
      // No closed line was written at all (not even a no-op update).
      const perKey = await writes.perKey();
      const closed = await e2e.db.raw.query<{ k: unknown }>(
        `SELECT concat_ws('|', tenant_id, order_id, line) AS k FROM ${table} WHERE status = 'closed'`,
      );
      expect(closed.filter((r) => perKey.has(String(r.k)))).toEqual([]);
      const statements = await writes.statements();
      expect(walkedInKeyOrder(statements)).toBe(true);
      await expectCompleted(job.id, OPEN_LINES);
    },
  );

  it('delete: every even line deleted once, the odd lines all there', async () => {
    const result = await e2e.rt.runtime.run({ jobId: purge.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const writes = counters.keytests_lines_delete!;
    expect(await writes.histogram()).toEqual([[1, LINE_ROWS / 2]]);
    expect(await countRows(e2e.db.raw, 'keytests_lines_delete')).toBe(LINE_ROWS / 2);
    expect(await countRows(e2e.db.raw, 'keytests_lines_delete', 'line % 2 = 0')).toBe(0);
    expect(walkedInKeyOrder(await writes.statements())).toBe(true);
    await expectCompleted(purge.id, LINE_ROWS / 2);
  });

  it('archive: tenants 2 and 3 moved once, identical, the others left in place', async () => {
    const moved = (LINE_ROWS / TENANTS) * 2;
    const sourceBefore = await e2e.db.raw.query<{ k: unknown }>(
      `SELECT concat_ws('|', tenant_id, order_id, line, status, ord) AS k FROM keytests_lines_archive
        WHERE tenant_id IN (2, 3) ORDER BY ord`,
    );
    const result = await e2e.rt.runtime.run({ jobId: archive.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const writes = counters.keytests_lines_archive!;
    expect(await writes.histogram()).toEqual([[1, moved]]);
    expect(await countRows(e2e.db.raw, 'keytests_lines_archive')).toBe(LINE_ROWS - moved);
    expect(await countRows(e2e.db.raw, 'keytests_lines_archive', 'tenant_id IN (2, 3)')).toBe(0);
    const archived = await e2e.db.raw.query<{ k: unknown }>(
      `SELECT concat_ws('|', tenant_id, order_id, line, status, ord) AS k FROM keytests_lines_archived ORDER BY ord`,
    );
    expect(archived.map((r) => String(r.k))).toEqual(sourceBefore.map((r) => String(r.k)));
    expect(walkedInKeyOrder(await writes.statements())).toBe(true);
    await expectCompleted(archive.id, moved);
  });
});
