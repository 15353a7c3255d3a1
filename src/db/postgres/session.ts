import type pg from 'pg';
import type { Session, SessionOptions } from '../types';
import { checkOut } from './checked-out-client';
import { postgresDialect } from './dialect';
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
  const client = await checkOut(pool);
  const { run } = client;

  let open = true;
  try {
    const set = await run<{ pid: number }>(SET_TIMEOUTS, [
      `${options.lockTimeoutMs}ms`,
      `${options.statementTimeoutMs}ms`,
    ]);
    const session: Session = {
      dialect: postgresDialect,
      connectionId: set.rows[0]!.pid,
      query: client.guardedQuery(
        () => open,
        'a session was used after its callback returned; keep it inside fn',
      ),
    };
    return await fn(session);
  } finally {
    open = false;
    if (!client.broken) {
      try {
        await run('RESET lock_timeout');
        await run('RESET statement_timeout');
      } catch (err) {
        client.markBroken(err);
      }
    }
    client.release();
  }
}
