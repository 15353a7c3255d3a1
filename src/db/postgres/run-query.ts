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
 * Every statement goes through the extended protocol (Parse/Bind/Execute), even without bind
 * values, where pg would otherwise use the simple protocol: the server then refuses a second
 * statement after a `;` ("cannot insert multiple commands into a prepared statement"), so no
 * text lowtide sends can ever run as two statements.
 */
export async function runQuery<R>(
  target: PgQueryable,
  text: string,
  values?: readonly unknown[],
): Promise<RawResult<R>> {
  const config: pg.QueryConfig & { queryMode: 'extended' } = {
    text,
    values: toBindValues(values),
    queryMode: 'extended',
  };
  let result: pg.QueryResult;
  try {
    result = await (target as pg.Pool).query(config);
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
