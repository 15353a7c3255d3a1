import type pg from 'pg';
import { type BatchTxOptions, type BatchTxResult, DbError, type Row, type Tx } from '../types';
import { advisoryLockKey } from './advisory-lock-key';
import { postgresDialect } from './dialect';
import { toDbError } from './errors';
import { publicResult, type RawResult, runQuery } from './run-query';
import { requirePositiveMs } from './timeouts';

/** The server ends a session idle inside a transaction after this long at least. */
const MIN_IDLE_IN_TRANSACTION_MS = 10_000;

/**
 * Timeouts and the advisory lock in one round trip after BEGIN. `set_config(..., true)` is the
 * transaction-local SET that accepts bind values; the settings vanish at COMMIT or ROLLBACK, so
 * the pooled connection goes back clean.
 */
const PREPARE_BATCH = `SELECT set_config('lock_timeout', $1, true),
       set_config('statement_timeout', $2, true),
       set_config('idle_in_transaction_session_timeout', $3, true),
       pg_try_advisory_xact_lock($4::bigint) AS locked,
       pg_backend_pid() AS pid`;

/**
 * One batch: BEGIN, timeouts, try-lock (never wait), `fn`, COMMIT; ROLLBACK when `fn` throws.
 * Errors from `fn` are rethrown as they are (queries through `tx` already throw DbErrors), so the
 * engine's own errors reach it unchanged. A client whose connection broke is destroyed, not
 * returned to the pool.
 */
export async function runBatchTransaction<T>(
  pool: pg.Pool,
  options: BatchTxOptions,
  fn: (tx: Tx) => Promise<T>,
): Promise<BatchTxResult<T>> {
  requirePositiveMs('lockTimeoutMs', options.lockTimeoutMs);
  requirePositiveMs('statementTimeoutMs', options.statementTimeoutMs);
  let key: string;
  try {
    key = advisoryLockKey(options.lockName);
  } catch (err) {
    throw toDbError(err);
  }
  const idleMs = Math.max(2 * options.statementTimeoutMs, MIN_IDLE_IN_TRANSACTION_MS);

  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw toDbError(err);
  }

  // While checked out, the pool no longer listens for this client's errors; an unheard 'error'
  // event (the server ending the session between two queries) would crash the process.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);

  const run = async <R>(text: string, values?: readonly unknown[]): Promise<RawResult<R>> => {
    try {
      return await runQuery<R>(client, text, values);
    } catch (err) {
      if (err instanceof DbError && err.kind === 'connection') {
        // pg only says "not queryable" once the session is gone; the server's own reason (e.g.
        // 57P01 terminated by an administrator, 25P03 idle in transaction too long) is what an
        // operator needs, and it arrived earlier as the client's 'error' event.
        if (broken && !(broken instanceof DbError)) throw toDbError(broken);
        broken ??= err;
      }
      throw err;
    }
  };
  const rollback = async (): Promise<void> => {
    if (broken) return; // the server already rolled back when the session ended
    try {
      await run('ROLLBACK');
    } catch (err) {
      broken ??= err instanceof Error ? err : new Error(String(err));
    }
  };

  let open = true;
  try {
    await run('BEGIN');
    let prepared: RawResult<{ locked: boolean; pid: number }>;
    try {
      prepared = await run(PREPARE_BATCH, [
        `${options.lockTimeoutMs}ms`,
        `${options.statementTimeoutMs}ms`,
        `${idleMs}ms`,
        key,
      ]);
    } catch (err) {
      await rollback();
      throw err;
    }
    const { locked, pid } = prepared.rows[0]!;
    if (!locked) {
      await rollback();
      return { held: true };
    }

    const tx: Tx = {
      dialect: postgresDialect,
      connectionId: pid,
      query: <R = Row>(text: string, values?: readonly unknown[]) => {
        if (!open) {
          return Promise.reject(
            new DbError(
              'other',
              'a batch transaction was used after its callback returned; keep tx inside fn',
              undefined,
            ),
          );
        }
        return run<R>(text, values).then(publicResult);
      },
    };

    let value: T;
    try {
      value = await fn(tx);
    } catch (err) {
      open = false;
      await rollback();
      throw err;
    }
    open = false;
    const commit = await run('COMMIT');
    // COMMIT of a transaction that an earlier error aborted succeeds and rolls back: fn caught a
    // failed statement and went on, so its work must not be reported as applied.
    if (commit.command === 'ROLLBACK') {
      throw new DbError(
        'other',
        'the batch transaction was rolled back instead of committed: a statement inside it failed and the error was caught; nothing was applied',
        '25P02',
      );
    }
    return { held: false, value };
  } finally {
    open = false;
    client.off('error', onError);
    client.release(broken);
  }
}
