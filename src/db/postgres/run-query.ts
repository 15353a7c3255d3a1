import type pg from 'pg';
import type { QueryResult } from '../types';
import { toBindValues } from './bind-values';
import { toDbError } from './errors';

/** Anything that runs a query: the pool (autocommit), a checked-out client, or a standalone client. */
export type PgQueryable = Pick<pg.Pool, 'query'> | Pick<pg.ClientBase, 'query'>;

export interface RawResult<R> extends QueryResult<R> {
  /** The command tag the server answered with, e.g. `COMMIT` or `ROLLBACK`. */
  readonly command: string;
}

/**
 * Runs one statement and maps the result to lowtide's shape. Every failure leaves as a DbError.
 * `singleStatement` forces the extended protocol, which refuses a second statement after a `;`
 * even when there are no bind values (pg would otherwise use the simple protocol).
 */
export async function runQuery<R>(
  target: PgQueryable,
  text: string,
  values?: readonly unknown[],
  singleStatement = false,
): Promise<RawResult<R>> {
  const config = {
    text,
    values: toBindValues(values),
    ...(singleStatement ? { queryMode: 'extended' } : {}),
  };
  let result: pg.QueryResult;
  try {
    result = await (target as pg.Pool).query(config as pg.QueryConfig);
  } catch (err) {
    throw toDbError(err);
  }
  const rows = (result.rows ?? []) as R[];
  return { rows, rowCount: result.rowCount ?? rows.length, command: result.command };
}

/** The lowtide view of a result, without driver details. */
export function publicResult<R>(result: RawResult<R>): QueryResult<R> {
  return { rows: result.rows, rowCount: result.rowCount };
}
