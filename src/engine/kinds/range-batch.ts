import { type SqlBuilder, sql } from '../../db/sql';
import type { Key, Tx } from '../../db/types';
import type { KeyCodec } from '../keys';

/** A batch found and changed by its key range. */
export interface RangeSpan {
  readonly firstKey: Key;
  readonly lastKey: Key;
  readonly selected: number;
  readonly affected: number;
}

/**
 * What a range batch needs of its job's SQL: the key, the predicate, the keyset selection and a
 * key range. Declared here and implemented by the declarative kinds, so this file depends on no kind.
 */
export interface RangeSql {
  readonly spec: { readonly key: string };
  readonly codec: Pick<KeyCodec, 'fromDb'>;
  /** The job's predicate, parenthesised, or a condition that is always true. */
  where(): string;
  inRange(b: SqlBuilder, span: Pick<RangeSpan, 'firstKey' | 'lastKey'>): string;
  /** The next matching keys after `afterKey`, in key order, as the column `k`. */
  nextKeys(b: SqlBuilder, afterKey: Key | null, limit: number): string;
}

/**
 * The change of one batch, as `UPDATE ... WHERE` or `DELETE ... WHERE` text that ends where the
 * batch's condition goes; `range` is that condition (the key range and the job's predicate).
 */
export type RangeDml = (b: SqlBuilder, range: string) => string;

/**
 * Selects the next batch after `afterKey` and changes every row of its key range that matches the
 * predicate, without carrying the keys to the client and back as a list, and without locking them
 * before the change: the change locks each row as it reaches it, so the application's writes meet
 * a batch's locks for less time than a `SELECT ... FOR UPDATE` of the whole batch would hold them
 * (and on PostgreSQL, where a row lock is written into the row, without writing every row twice).
 *
 * - PostgreSQL: one statement. The selection and the change share the statement's snapshot, so no
 *   row committed later is changed; a row a concurrent writer changed or deleted in between is
 *   re-checked against the predicate and skipped if it no longer matches.
 * - MySQL/MariaDB: a plain (consistent) read of the range's bounds, then the change, which reads
 *   the latest committed rows: a row a writer took out of the predicate in between is skipped, a
 *   row it added to the range is changed with the others.
 *
 * Either way `affected` may differ from `selected` when the application writes to the range while
 * the batch runs; the ledger records both.
 */
export async function changeByRange(
  s: RangeSql,
  tx: Tx,
  afterKey: Key | null,
  limit: number,
  dml: RangeDml,
): Promise<RangeSpan | null> {
  if (tx.dialect.engine === 'postgres') return changeInOneStatement(s, tx, afterKey, limit, dml);
  const bounds = sql(
    tx.dialect,
    (b) =>
      `SELECT MIN(k) AS lo, MAX(k) AS hi, COUNT(*) AS n FROM (${s.nextKeys(b, afterKey, limit)}) AS lowtide_batch`,
  );
  const row = (await tx.query<{ lo: unknown; hi: unknown; n: unknown }>(bounds.text, bounds.values)).rows[0];
  if (!row || Number(row.n) === 0) return null;
  const firstKey = s.codec.fromDb(row.lo);
  const lastKey = s.codec.fromDb(row.hi);
  const stmt = sql(tx.dialect, (b) => dml(b, `${s.inRange(b, { firstKey, lastKey })} AND ${s.where()}`));
  const affected = (await tx.query(stmt.text, stmt.values)).rowCount;
  return { firstKey, lastKey, selected: Number(row.n), affected };
}

async function changeInOneStatement(
  s: RangeSql,
  tx: Tx,
  afterKey: Key | null,
  limit: number,
  dml: RangeDml,
): Promise<RangeSpan | null> {
  // CTE names carry a prefix so that a subquery in the author's predicate naming a real table
  // `batch` still means that table.
  const stmt = sql(tx.dialect, (b) => {
    const k = b.id(s.spec.key);
    const range = `${k} >= (SELECT lowtide_lo FROM lowtide_bound) AND ${k} <= (SELECT lowtide_hi FROM lowtide_bound) AND ${s.where()}`;
    return [
      `WITH lowtide_batch AS MATERIALIZED (${s.nextKeys(b, afterKey, limit)}),`,
      'lowtide_bound AS (SELECT (SELECT k FROM lowtide_batch ORDER BY k LIMIT 1) AS lowtide_lo,',
      '  (SELECT k FROM lowtide_batch ORDER BY k DESC LIMIT 1) AS lowtide_hi,',
      '  (SELECT count(*) FROM lowtide_batch) AS lowtide_n),',
      `lowtide_changed AS (${dml(b, range)} RETURNING 1)`,
      'SELECT lowtide_lo AS lo, lowtide_hi AS hi, lowtide_n AS n, (SELECT count(*) FROM lowtide_changed) AS affected FROM lowtide_bound',
    ].join('\n');
  });
  const { rows } = await tx.query<{ lo: unknown; hi: unknown; n: unknown; affected: unknown }>(
    stmt.text,
    stmt.values,
  );
  const row = rows[0];
  if (!row || Number(row.n) === 0) return null;
  return {
    firstKey: s.codec.fromDb(row.lo),
    lastKey: s.codec.fromDb(row.hi),
    selected: Number(row.n),
    affected: Number(row.affected),
  };
}
