import type pg from 'pg';
import { type BatchTxOptions, type BatchTxResult, DbError, type Tx } from '../types';
import { advisoryLockKey } from './advisory-lock-key';
import { checkOut } from './checked-out-client';
import { postgresDialect } from './dialect';
import { toDbError } from './errors';
import type { RawResult } from './run-query';
import { requirePositiveMs } from './timeouts';

/** The server ends a session idle inside a transaction after this long at least. */
const MIN_IDLE_IN_TRANSACTION_MS = 10_000;

/**
 * Timeouts and the advisory lock in one round trip after BEGIN. `set_config(..., true)` is the
 * transaction-local SET that accepts bind values; the settings vanish at COMMIT or ROLLBACK, so
 * the pooled connection goes back clean. Every statement of the batch after it runs under
 * statement_timeout, which is what bounds an application's wait on a row the batch holds: the
 * lock timeout bounds only the batch's own waits (test/engine/application-wait.test.ts).
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

  const client = await checkOut(pool);
  const { run } = client;
  const rollback = async (): Promise<void> => {
    if (client.broken) return; // the server already rolled back when the session ended
    try {
      await run('ROLLBACK');
    } catch (err) {
      client.markBroken(err);
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
      query: client.guardedQuery(
        () => open,
        'a batch transaction was used after its callback returned; keep tx inside fn',
      ),
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
    client.release();
  }
}
