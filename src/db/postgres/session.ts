import type pg from 'pg';
import { DbError, type Row, type Session, type SessionOptions } from '../types';
import { postgresDialect } from './dialect';
import { toDbError } from './errors';
import { publicResult, runQuery } from './run-query';
import { requirePositiveMs } from './timeouts';

/** `set_config(..., false)` is the session-wide SET that accepts bind values. */
const SET_TIMEOUTS = `SELECT set_config('lock_timeout', $1, false),
       set_config('statement_timeout', $2, false),
       pg_backend_pid() AS pid`;

/**
 * One pooled client in autocommit mode with session timeouts, RESET before it goes back to the
 * pool. A client whose connection broke (or whose RESET failed) is destroyed, not reused.
 */
export async function runSession<T>(
  pool: pg.Pool,
  options: SessionOptions,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  requirePositiveMs('lockTimeoutMs', options.lockTimeoutMs);
  requirePositiveMs('statementTimeoutMs', options.statementTimeoutMs);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw toDbError(err);
  }
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  const run = async <R>(text: string, values?: readonly unknown[]) => {
    try {
      return await runQuery<R>(client, text, values);
    } catch (err) {
      if (err instanceof DbError && err.kind === 'connection') broken ??= err;
      throw err;
    }
  };

  let open = true;
  try {
    const set = await run<{ pid: number }>(SET_TIMEOUTS, [
      `${options.lockTimeoutMs}ms`,
      `${options.statementTimeoutMs}ms`,
    ]);
    const session: Session = {
      dialect: postgresDialect,
      connectionId: set.rows[0]!.pid,
      query: <R = Row>(text: string, values?: readonly unknown[]) => {
        if (!open) {
          return Promise.reject(
            new DbError(
              'other',
              'a session was used after its callback returned; keep it inside fn',
              undefined,
            ),
          );
        }
        return run<R>(text, values).then(publicResult);
      },
    };
    return await fn(session);
  } finally {
    open = false;
    if (!broken) {
      try {
        await run('RESET lock_timeout');
        await run('RESET statement_timeout');
      } catch (err) {
        broken = err instanceof Error ? err : new Error(String(err));
      }
    }
    client.off('error', onError);
    client.release(broken);
  }
}
