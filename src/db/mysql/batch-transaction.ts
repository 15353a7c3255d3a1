import type { Pool, PoolConnection } from 'mysql2/promise';
import {
  type BatchTxOptions,
  type BatchTxResult,
  DbError,
  type QueryResult,
  type Row,
  type Tx,
} from '../types';
import { mysqlDialect } from './dialect';
import { isDriverError, toDbError } from './errors';
import { mysqlLockName } from './lock-name';
import { runQuery } from './run-query';
import type { MysqlFlavour, MysqlServerInfo } from './server-info';

export interface SessionLimits {
  readonly set: string;
  readonly values: readonly unknown[];
  /** Puts the variables back to the server's global values before the connection returns to the pool. */
  readonly reset: string;
}

export function sessionLimits(
  flavour: MysqlFlavour,
  options: Pick<BatchTxOptions, 'lockTimeoutMs' | 'statementTimeoutMs'>,
): SessionLimits {
  // Both lock timeouts take whole seconds; rounding up never makes a wait shorter than asked.
  const lockSeconds = Math.max(1, Math.ceil(options.lockTimeoutMs / 1000));
  if (flavour === 'mariadb') {
    // MariaDB max_statement_time: seconds with microsecond precision, and it covers every
    // statement (SELECT, UPDATE, DELETE, INSERT ... SELECT), not only reads. Set for the session
    // before the transaction, so every statement of the batch runs under it, and reset afterwards.
    // That bounds how long an application waits on a row the batch holds: the statement is killed,
    // the batch rolls back, its locks go (test/engine/application-wait.test.ts).
    return {
      set: 'SET SESSION innodb_lock_wait_timeout = ?, lock_wait_timeout = ?, max_statement_time = ?',
      values: [lockSeconds, lockSeconds, options.statementTimeoutMs / 1000],
      reset:
        'SET SESSION innodb_lock_wait_timeout = DEFAULT, lock_wait_timeout = DEFAULT, max_statement_time = DEFAULT',
    };
  }
  // MySQL 8 max_execution_time: whole milliseconds, and only read-only SELECTs obey it (the server
  // ignores it for UPDATE, DELETE and INSERT ... SELECT, and MySQL has no max_statement_time). So on
  // MySQL 8 a batch's change statement is bounded only by the lock timeouts above and the batch
  // size, and an application waiting on a row the batch holds waits up to the whole batch, not up
  // to limits.statementTimeoutMs as on MariaDB and PostgreSQL (the README says so).
  return {
    set: 'SET SESSION innodb_lock_wait_timeout = ?, lock_wait_timeout = ?, max_execution_time = ?',
    values: [lockSeconds, lockSeconds, Math.max(1, Math.ceil(options.statementTimeoutMs))],
    reset:
      'SET SESSION innodb_lock_wait_timeout = DEFAULT, lock_wait_timeout = DEFAULT, max_execution_time = DEFAULT',
  };
}

function checkOptions(options: BatchTxOptions): void {
  const problems: string[] = [];
  if (typeof options.lockName !== 'string' || options.lockName === '')
    problems.push('lockName must not be empty');
  if (!(options.lockTimeoutMs > 0) || !Number.isFinite(options.lockTimeoutMs)) {
    problems.push(`lockTimeoutMs must be a positive number of milliseconds (got ${options.lockTimeoutMs})`);
  }
  if (!(options.statementTimeoutMs > 0) || !Number.isFinite(options.statementTimeoutMs)) {
    problems.push(
      `statementTimeoutMs must be a positive number of milliseconds (got ${options.statementTimeoutMs})`,
    );
  }
  if (problems.length > 0)
    throw new DbError('other', `batch transaction refused: ${problems.join('; ')}`, undefined);
}

/** One checked-out connection; remembers whether it can still go back to the pool. */
class BatchSession {
  broken = false;

  constructor(readonly conn: PoolConnection) {}

  async run<R = Row>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      return await runQuery<R>(this.conn, text, values);
    } catch (err) {
      if (err instanceof DbError && err.kind === 'connection') this.broken = true;
      throw err;
    }
  }

  /** Runs a clean-up statement; a failure means the session's state is unknown, so it must not be reused. */
  async tidy(text: string, values?: readonly unknown[]): Promise<void> {
    if (this.broken) return;
    try {
      await this.run(text, values);
    } catch {
      this.broken = true;
    }
  }

  /** Returns the connection to the pool, or closes it when its state cannot be trusted. */
  finish(): void {
    // Closing the socket ends the server session, which also rolls back and frees its user locks.
    if (this.broken) this.conn.destroy();
    else this.conn.release();
  }
}

/**
 * The error to hand back when `fn` failed. A statement error seen just before the connection died
 * is reported as a connection loss, because what the runner must do next is reconnect and retry.
 */
function failure(session: BatchSession, err: unknown): unknown {
  if (!isDriverError(err)) return err;
  const dbError = toDbError(err);
  if (session.broken && dbError.kind !== 'connection') {
    return new DbError(
      'connection',
      `MySQL connection lost during the batch: ${dbError.message}`,
      dbError.code,
      {
        cause: dbError,
      },
    );
  }
  return dbError;
}

/**
 * One batch: session timeouts, then `GET_LOCK(name, 0)` (never waits), then one transaction around
 * `fn`, then `RELEASE_LOCK` and the timeouts reset. The user lock is session-scoped on MySQL, so it
 * is taken outside the transaction and released explicitly; a connection that broke ends its
 * session, which releases the lock on the server.
 */
export async function runBatchTransaction<T>(
  pool: Pool,
  info: MysqlServerInfo,
  options: BatchTxOptions,
  fn: (tx: Tx) => Promise<T>,
): Promise<BatchTxResult<T>> {
  checkOptions(options);
  const limits = sessionLimits(info.flavour, options);
  const lockName = options.lockNamesDatabase
    ? mysqlLockName(undefined, options.lockName)
    : mysqlLockName(info.database, options.lockName);
  let conn: PoolConnection;
  try {
    conn = await pool.getConnection();
  } catch (err) {
    throw toDbError(err);
  }
  const session = new BatchSession(conn);
  let lockHeld = false;
  try {
    await session.run(limits.set, limits.values);
    const { rows } = await session.run<{ acquired: unknown; id: unknown }>(
      'SELECT GET_LOCK(?, 0) AS acquired, CONNECTION_ID() AS id',
      [lockName],
    );
    const acquired = rows[0]?.acquired;
    if (acquired === null || acquired === undefined) {
      throw new DbError(
        'other',
        `GET_LOCK(${JSON.stringify(lockName)}) returned NULL (the server ran out of memory or the session was killed); check the server's error log`,
        undefined,
      );
    }
    if (Number(acquired) !== 1) return { held: true };
    lockHeld = true;

    let open = true;
    const tx: Tx = {
      dialect: mysqlDialect,
      connectionId: Number(rows[0]!.id),
      query: <R = Row>(text: string, values?: readonly unknown[]) => {
        if (!open) {
          return Promise.reject(
            new DbError(
              'other',
              'this batch transaction has ended: run queries only inside its callback',
              undefined,
            ),
          );
        }
        return session.run<R>(text, values);
      },
    };

    await session.run('START TRANSACTION');
    let value: T;
    try {
      value = await fn(tx);
    } catch (err) {
      open = false;
      await session.tidy('ROLLBACK');
      throw failure(session, err);
    }
    open = false;
    try {
      await session.run('COMMIT');
    } catch (err) {
      // A COMMIT cut off by a lost connection is in doubt; the ledger row written inside the
      // transaction is what tells the next attempt whether it landed.
      await session.tidy('ROLLBACK');
      throw err;
    }
    return { held: false, value };
  } finally {
    if (lockHeld) await session.tidy('DO RELEASE_LOCK(?)', [lockName]);
    await session.tidy(limits.reset);
    session.finish();
  }
}
