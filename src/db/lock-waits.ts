import type { Queryable } from './types';

/**
 * The foreground-impact signal: which other sessions are waiting, right now, on a lock the given
 * session holds, and for how long the longest has waited. Read from a second connection, one
 * autocommit statement, never from the holder's own session and never inside a transaction, so
 * reading it holds nothing and waits on nothing.
 */
export interface LockWaitReading {
  /** Sessions waiting on a lock the holder holds. */
  readonly blockedSessions: number;
  /** The longest of their waits so far, in milliseconds (0 when none waits). */
  readonly longestWaitMs: number;
}

/** Which server's lock tables to read: MariaDB and MySQL 8 keep them in different places. */
export type LockWaitFlavour = 'postgres' | 'mariadb' | 'mysql';

/**
 * PostgreSQL: `pg_blocking_pids(pid)` lists the sessions blocking `pid` (PostgreSQL documentation,
 * "System Information Functions and Operators"). The documentation warns that frequent calls need
 * brief exclusive access to the lock manager, so it is asked only for sessions whose wait event is
 * a heavyweight lock (the MATERIALIZED CTE keeps the planner from calling it on every backend).
 * The wait is the statement's age: a waiting statement has done nothing else since it started.
 */
const POSTGRES = `WITH waiting AS MATERIALIZED (
    SELECT pid, query_start FROM pg_stat_activity
     WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid())
  SELECT count(*)::int AS blocked,
         coalesce(max(extract(epoch FROM clock_timestamp() - query_start) * 1000), 0)::float8 AS longest
    FROM waiting WHERE $1::int = ANY(pg_blocking_pids(pid))`;

/**
 * MariaDB: information_schema.INNODB_LOCK_WAITS pairs each waiting InnoDB transaction with the one
 * holding the lock, and INNODB_TRX maps a transaction to its connection (MariaDB Knowledge Base,
 * "Information Schema INNODB_LOCK_WAITS Table"). INNODB_TRX's trx_wait_started counts whole
 * seconds, so the wait is the processlist's TIME_MS (milliseconds in the current state).
 * Both need the PROCESS privilege. The INNODB_* tables are served from a cache InnoDB refreshes
 * only when the last read is over 100 ms old, so they can still show a wait that has ended, held
 * by the same (pooled) connection in its previous transaction. PROCESSLIST is read live: a waiter
 * counts only while its session is still running a statement, which drops those stale rows.
 */
const MARIADB = `SELECT count(*) AS blocked, coalesce(max(p.TIME_MS), 0) AS longest
    FROM information_schema.INNODB_LOCK_WAITS w
    JOIN information_schema.INNODB_TRX holder ON holder.trx_id = w.blocking_trx_id
    JOIN information_schema.INNODB_TRX waiter ON waiter.trx_id = w.requesting_trx_id
    JOIN information_schema.PROCESSLIST p ON p.ID = waiter.trx_mysql_thread_id AND p.COMMAND = 'Query'
   WHERE holder.trx_mysql_thread_id = ?`;

/**
 * MySQL 8 removed INNODB_LOCK_WAITS; performance_schema.data_lock_waits replaces it, naming the
 * engine transaction ids of the waiter and the holder (MySQL 8.0 Reference Manual, "The
 * data_lock_waits Table", and "Migrating to Performance Schema Lock Tables"), which INNODB_TRX
 * still maps to connections. MySQL's processlist has no milliseconds, so the wait comes from
 * trx_wait_started (whole seconds). Not run against a MySQL 8 server here; reasoned from the manual.
 */
const MYSQL8 = `SELECT count(*) AS blocked,
         coalesce(max(TIMESTAMPDIFF(MICROSECOND, waiter.trx_wait_started, NOW(6)) / 1000), 0) AS longest
    FROM performance_schema.data_lock_waits w
    JOIN information_schema.INNODB_TRX holder ON holder.trx_id = w.BLOCKING_ENGINE_TRANSACTION_ID
    JOIN information_schema.INNODB_TRX waiter ON waiter.trx_id = w.REQUESTING_ENGINE_TRANSACTION_ID
   WHERE holder.trx_mysql_thread_id = ?`;

const STATEMENTS: Record<LockWaitFlavour, string> = { postgres: POSTGRES, mariadb: MARIADB, mysql: MYSQL8 };

/** The flavour of a server from its `serverVersion()` (`postgres 15.4`, `mariadb 10.11.19`, `mysql 8.0.36`). */
export function lockWaitFlavour(serverVersion: string): LockWaitFlavour {
  if (/^postgres/i.test(serverVersion)) return 'postgres';
  return /mariadb/i.test(serverVersion) ? 'mariadb' : 'mysql';
}

/**
 * Sessions waiting on locks `holderConnectionId` holds (PostgreSQL backend pid, MySQL connection
 * id), read through `observer`, which must not be the holder's own session.
 */
export async function readSessionsBlockedBy(
  observer: Queryable,
  flavour: LockWaitFlavour,
  holderConnectionId: number,
): Promise<LockWaitReading> {
  const { rows } = await observer.query<{ blocked: unknown; longest: unknown }>(STATEMENTS[flavour], [
    holderConnectionId,
  ]);
  const row = rows[0];
  return {
    blockedSessions: Number(row?.blocked ?? 0),
    longestWaitMs: Math.round(Number(row?.longest ?? 0)),
  };
}
