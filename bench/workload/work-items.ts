import type { Dialect } from '../../src/db/types';
import type { WorkKind } from '../settings';

/**
 * What every contender does, spelled once so they all do exactly the same change: the same table,
 * the same predicate, the same expression. The SQL fragments are constants of the bench, written
 * to mean the same on PostgreSQL and on MySQL/MariaDB.
 */
export interface WorkItem {
  readonly kind: WorkKind;
  readonly table: string;
  readonly key: 'id';
  /** Rows the change must touch. */
  readonly targetRows: number;
  /** Rows in the table before the change (the purge keeps as many again). */
  readonly tableRows: number;
  /** The rows to change. */
  readonly where: string;
  /** Backfill only: column -> expression. */
  readonly set?: Readonly<Record<string, string>>;
}

/** The backfilled value: computed from two other columns of the row. */
export const SCORE_EXPRESSION = 'amount * 3 + MOD(account_id, 100)';
/** Odd ids expired years ago; even ids stay valid, so the purge interleaves with rows that must survive. */
export const PURGE_CUTOFF = '2020-01-01 00:00:00';

export function workItem(kind: WorkKind, rows: number): WorkItem {
  if (kind === 'backfill') {
    return {
      kind,
      table: 'bench_backfill',
      key: 'id',
      targetRows: rows,
      tableRows: rows,
      where: 'score IS NULL',
      set: { score: SCORE_EXPRESSION },
    };
  }
  return {
    kind,
    table: 'bench_purge',
    key: 'id',
    targetRows: rows,
    tableRows: rows * 2,
    where: `expires_at < '${PURGE_CUTOFF}'`,
  };
}

/** The change as one statement over the whole table (the monolithic contender; loops add a key range). */
export function changeStatement(item: WorkItem, dialect: Dialect, extraCondition = ''): string {
  const table = dialect.quoteIdent(item.table);
  const where = `(${item.where})${extraCondition ? ` AND ${extraCondition}` : ''}`;
  if (item.set) {
    const assignments = Object.entries(item.set).map(([col, expr]) => `${dialect.quoteIdent(col)} = ${expr}`);
    return `UPDATE ${table} SET ${assignments.join(', ')} WHERE ${where}`;
  }
  return `DELETE FROM ${table} WHERE ${where}`;
}
