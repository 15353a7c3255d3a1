import type { Pool, PoolConnection } from 'mysql2/promise';
import { DbError, type Row, type Session, type SessionOptions } from '../types';
import { sessionLimits } from './batch-transaction';
import { mysqlDialect } from './dialect';
import { toDbError } from './errors';
import { runQuery } from './run-query';
import type { MysqlServerInfo } from './server-info';

function checkOptions(options: SessionOptions): void {
  for (const name of ['lockTimeoutMs', 'statementTimeoutMs'] as const) {
    const value = options[name];
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new DbError(
        'other',
        `session refused: ${name} must be a positive number of milliseconds (got ${value})`,
        undefined,
      );
    }
  }
}

/**
 * One pooled connection in autocommit mode with the session's lock timeouts (and MariaDB's
 * statement bound) set, put back to the server defaults before the connection returns to the
 * pool. A connection that broke, or whose reset failed, is closed instead.
 */
export async function runSession<T>(
  pool: Pool,
  info: MysqlServerInfo,
  options: SessionOptions,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  checkOptions(options);
  const limits = sessionLimits(info.flavour, options);
  let conn: PoolConnection;
  try {
    conn = await pool.getConnection();
  } catch (err) {
    throw toDbError(err);
  }
  let broken = false;
  const run = async <R = Row>(text: string, values?: readonly unknown[]) => {
    try {
      return await runQuery<R>(conn, text, values);
    } catch (err) {
      if (err instanceof DbError && err.kind === 'connection') broken = true;
      throw err;
    }
  };
  let open = true;
  try {
    await run(limits.set, limits.values);
    const { rows } = await run<{ id: unknown }>('SELECT CONNECTION_ID() AS id');
    const session: Session = {
      dialect: mysqlDialect,
      connectionId: Number(rows[0]?.id),
      query: <R = Row>(text: string, values?: readonly unknown[]) => {
        if (!open) {
          return Promise.reject(
            new DbError('other', 'this session has ended: run queries only inside its callback', undefined),
          );
        }
        return run<R>(text, values);
      },
    };
    return await fn(session);
  } finally {
    open = false;
    if (!broken) {
      try {
        await run(limits.reset);
      } catch {
        broken = true;
      }
    }
    if (broken) conn.destroy();
    else conn.release();
  }
}
