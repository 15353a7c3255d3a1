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
  readonly codec: KeyCodec;
  /** The job's predicate, parenthesised, or a condition that is always true. */
  where(): string;
  inRange(b: SqlBuilder, span: Pick<RangeSpan, 'firstKey' | 'lastKey'>): string;
  /** The next matching keys after `afterKey`, in key order, as KeyCodec.selectRaw columns. */
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
 * A range is [first key, last key] of the selection in key order. A one-column key takes them as
 * MIN and MAX; a tuple has no MIN (and MySQL's MIN of an ENUM compares its labels as text, not
 * in the index's order), so those take the selection's first and last rows in key order (PostgreSQL: ORDER BY ... LIMIT 1 both ways over the materialized selection;
 * MySQL: the selection's keys read in order; never OFFSET).
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
  const bounds = s.codec.hasMinMax ? columnBounds(s, afterKey, limit) : tupleBounds(s, afterKey, limit);
  const found = await bounds(tx);
  if (!found) return null;
  const { firstKey, lastKey } = found;
  const stmt = sql(tx.dialect, (b) => dml(b, `${s.inRange(b, { firstKey, lastKey })} AND ${s.where()}`));
  const affected = (await tx.query(stmt.text, stmt.values)).rowCount;
  return { firstKey, lastKey, selected: found.selected, affected };
}

type Bounds = (tx: Tx) => Promise<Omit<RangeSpan, 'affected'> | null>;

const lo = (i: number) => `lowtide_lo${i}`;
const hi = (i: number) => `lowtide_hi${i}`;

function columnBounds(s: RangeSql, afterKey: Key | null, limit: number): Bounds {
  return async (tx) => {
    const stmt = sql(
      tx.dialect,
      (b) =>
        `SELECT MIN(lowtide_k0) AS lowtide_lo0, MAX(lowtide_k0) AS lowtide_hi0, COUNT(*) AS n FROM (${s.nextKeys(b, afterKey, limit)}) AS lowtide_batch`,
    );
    const row = (await tx.query(stmt.text, stmt.values)).rows[0];
    if (!row || Number(row.n) === 0) return null;
    return { firstKey: s.codec.fromRow(row, lo), lastKey: s.codec.fromRow(row, hi), selected: Number(row.n) };
  };
}

/**
 * The selection itself, read in key order without locks (the same consistent read as the bounds
 * of a one-column key): its first and last rows are the bounds. A tuple has no MIN or MAX, and
 * finding them server-side costs more on MariaDB than reading the batch's keys, a few thousand
 * small rows, which is about what MIN and MAX cost a one-column key. Measured on MariaDB 10.11 over
 * 1,000-key batches of a three-integer key (medians, forms taken in random order): reading the keys
 * 0.13-0.16 ms; ROW_NUMBER/COUNT OVER the selection 0.19-0.23 ms; the selection's first row
 * (LIMIT 1), its last (the selection as a derived table, ORDER BY ... DESC LIMIT 1) and a COUNT(*)
 * of it, in one statement, 0.23-0.27 ms, as it runs the selection three times; MIN/MAX/COUNT of a
 * one-column key 0.14-0.16 ms.
 */
function tupleBounds(s: RangeSql, afterKey: Key | null, limit: number): Bounds {
  return async (tx) => {
    const stmt = sql(tx.dialect, (b) => s.nextKeys(b, afterKey, limit));
    const { rows } = await tx.query(stmt.text, stmt.values);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return null;
    return { firstKey: s.codec.fromRow(first), lastKey: s.codec.fromRow(last), selected: rows.length };
  };
}

async function changeInOneStatement(
  s: RangeSql,
  tx: Tx,
  afterKey: Key | null,
  limit: number,
  dml: RangeDml,
): Promise<RangeSpan | null> {
  // CTE names carry a prefix so that a subquery in the author's predicate naming a real table
  // `batch` still means that table. The bounds are uncorrelated subqueries (InitPlans), which the
  // planner treats as constants: `k >= (SELECT ...)` and the row comparison of a composite key
  // are both index conditions.
  const { codec } = s;
  const stmt = sql(tx.dialect, (b) => {
    const cols = codec.keyColumns.map((_, i) => codec.col(b, i));
    const bound = (cte: string) => codec.keyColumns.map((_, i) => `(SELECT lowtide_k${i} FROM ${cte})`);
    const range = `${codec.compareExprs(cols, '>=', bound('lowtide_lo'))} AND ${codec.compareExprs(cols, '<=', bound('lowtide_hi'))} AND ${s.where()}`;
    const out = codec.keyColumns.flatMap((_, i) => [
      `${codec.textExpr(i, `lowtide_lo.lowtide_k${i}`)} AS ${lo(i)}`,
      `${codec.textExpr(i, `lowtide_hi.lowtide_k${i}`)} AS ${hi(i)}`,
    ]);
    return [
      `WITH lowtide_batch AS MATERIALIZED (${s.nextKeys(b, afterKey, limit)}),`,
      `lowtide_lo AS (SELECT * FROM lowtide_batch ORDER BY ${codec.orderByAliases(b)} LIMIT 1),`,
      `lowtide_hi AS (SELECT * FROM lowtide_batch ORDER BY ${codec.orderByAliases(b, true)} LIMIT 1),`,
      `lowtide_changed AS (${dml(b, range)} RETURNING 1)`,
      `SELECT ${out.join(', ')}, (SELECT count(*) FROM lowtide_batch) AS n, (SELECT count(*) FROM lowtide_changed) AS affected`,
      'FROM lowtide_lo, lowtide_hi',
    ].join('\n');
  });
  const { rows } = await tx.query(stmt.text, stmt.values);
  const row = rows[0];
  if (!row || Number(row.n) === 0) return null;
  return {
    firstKey: codec.fromRow(row, lo),
    lastKey: codec.fromRow(row, hi),
    selected: Number(row.n),
    affected: Number(row.affected),
  };
}
