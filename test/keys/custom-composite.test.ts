import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql';
import type { Tx } from '../../src/db/types';
import { useE2e } from '../e2e/support/harness';
import { ENGINES, type TestEngine } from '../support/databases';
import { type TupleWrites, walkedInKeyOrder } from '../support/tuple-writes';
import { countRows, keyedJob } from './support/keyed-jobs';
import { createOrderLines, LINE_KEY, LINE_ROWS, OPEN_LINES } from './support/order-lines';

const TABLE = 'keytests_custom_lines';

/** What the job's hooks saw: each selectBatch's afterKey and the last key it returned. */
interface Seen {
  readonly afterKeys: unknown[];
  readonly lastReturned: unknown[][];
}

/**
 * A custom job over the order lines' composite key, written as an author would: selectBatch
 * returns each key as an array [tenant_id, order_id, line] and gets the last one back as
 * `afterKey`; applyBatch gets the arrays it returned.
 */
function customLinesJob(engine: TestEngine, seen: Seen) {
  const after = (afterKey: unknown) => {
    if (afterKey === null) return { where: '', values: [] as unknown[] };
    const [t, o, l] = afterKey as unknown[];
    // PostgreSQL compares rows; MariaDB is given the expanded form its optimizer range-scans.
    return engine === 'postgres'
      ? { where: '(tenant_id, order_id, line) > ($1, $2, $3) AND ', values: [t, o, l] }
      : {
          where: '(tenant_id > ? OR (tenant_id = ? AND (order_id > ? OR (order_id = ? AND line > ?)))) AND ',
          values: [t, t, o, o, l],
        };
  };
  return keyedJob(engine, {
    id: 'keytests-custom-lines',
    table: TABLE,
    key: [...LINE_KEY],
    kind: 'custom',
    async selectBatch(tx: Tx, afterKey: unknown, limit: number) {
      seen.afterKeys.push(afterKey);
      const { where, values } = after(afterKey);
      const n = engine === 'postgres' ? `$${values.length + 1}` : '?';
      const { rows } = await tx.query<{ tenant_id: unknown; order_id: unknown; line: unknown }>(
        `SELECT tenant_id, order_id, line FROM ${TABLE} WHERE ${where}status = 'open'
          ORDER BY tenant_id, order_id, line LIMIT ${n} FOR UPDATE`,
        [...values, limit],
      );
      const keys = rows.map((r) => [Number(r.tenant_id), String(r.order_id), Number(r.line)]);
      if (keys.length > 0) seen.lastReturned.push(keys.at(-1)!);
      return keys;
    },
    async applyBatch(tx: Tx, keys: readonly unknown[]) {
      let affected = 0;
      for (const key of keys) {
        const [t, o, l] = key as unknown[];
        const stmt = sql(
          tx.dialect,
          (b) =>
            `UPDATE ${b.id(TABLE)} SET status = 'billed', applied_count = applied_count + 1
              WHERE tenant_id = ${b.val(Number(t))} AND order_id = ${b.val(String(o))} AND line = ${b.val(Number(l))}`,
        );
        affected += (await tx.query(stmt.text, stmt.values)).rowCount;
      }
      return affected;
    },
  });
}

describe.each(ENGINES)('a custom job over a composite key on %s', (engine) => {
  const seen: Seen = { afterKeys: [], lastReturned: [] };
  const job = customLinesJob(engine, seen);
  let writes: TupleWrites;
  const e2e = useE2e(engine, [job], {
    prepare: async (db) => {
      writes = (await createOrderLines(db.raw, engine, TABLE))!;
    },
  });

  it('gets each batch its keys as arrays and the last one back as afterKey; every open line once', async () => {
    const result = await e2e.rt.runtime.run({ jobId: job.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await writes.histogram()).toEqual([[1, OPEN_LINES]]);
    expect(await countRows(e2e.db.raw, TABLE, "status = 'closed' AND applied_count = 0")).toBe(
      LINE_ROWS - OPEN_LINES,
    );
    expect(walkedInKeyOrder(await writes.statements())).toBe(true);

    // The walk started from null (the last such call: a check may have called the hook before),
    // and every later selectBatch was given the previous batch's last key: the same three values
    // (as text or numbers: compared as text), none lost or reordered.
    const started = seen.afterKeys.lastIndexOf(null);
    expect(started).toBeGreaterThanOrEqual(0);
    // With sub-batches the selection that finds nothing left can run twice with the last key: at
    // the end of the last apply step, and again in the step after it. Repeats are collapsed.
    const afterStart = seen.afterKeys
      .slice(started + 1)
      .filter((key, i, all) => i === 0 || JSON.stringify(key) !== JSON.stringify(all[i - 1]));
    expect(afterStart.length).toBeGreaterThanOrEqual(Math.ceil(OPEN_LINES / 50));
    for (const key of afterStart) {
      expect(Array.isArray(key)).toBe(true);
      expect((key as unknown[]).length).toBe(3);
    }
    const asText = (key: unknown) => (key as unknown[]).map(String);
    const returned = seen.lastReturned.slice(-afterStart.length).map(asText);
    expect(afterStart.map(asText)).toEqual(returned);
    expect(await e2e.rt.runtime.store.getJob(job.id)).toMatchObject({
      status: 'completed',
      checkpoint: { rowsDone: OPEN_LINES },
    });
  });
});
