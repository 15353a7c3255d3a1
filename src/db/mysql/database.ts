import mysql, { type Pool } from 'mysql2/promise';
import type { TableRef } from '../../job/identifiers';
import { readOnlyView } from '../read-only-view';
import type { Database, Row } from '../types';
import { runBatchTransaction } from './batch-transaction';
import { mysqlConnectionOptions } from './connection-options';
import { mysqlDialect } from './dialect';
import { toDbError } from './errors';
import { mysqlExplain } from './explain';
import { mysqlColumns, mysqlEstimateTableRows, mysqlIndexes } from './introspection';
import { runReadOnlyTransaction } from './read-only-transaction';
import { mysqlReplicaLag } from './replica-lag';
import { runQuery } from './run-query';
import { type MysqlServerInfo, readServerInfo } from './server-info';
import { mysqlServerRole } from './server-role';
import { runSession } from './session';

export interface MysqlDatabaseOptions {
  /** `mysql://user:password@host:3306/database`, optionally with `?ssl=true`. */
  readonly url: string;
  /** Connections in the pool; a batch holds one for its whole transaction. Default 2. */
  readonly poolSize?: number;
}

/** Turns MySQL 8's day-long cache of information_schema table statistics off for one read. */
async function withFreshStatistics<T>(
  pool: Pool,
  read: (conn: mysql.PoolConnection) => Promise<T>,
): Promise<T> {
  let conn: mysql.PoolConnection;
  try {
    conn = await pool.getConnection();
  } catch (err) {
    throw toDbError(err);
  }
  let reusable = false;
  try {
    await runQuery(conn, 'SET SESSION information_schema_stats_expiry = 0');
    const value = await read(conn);
    await runQuery(conn, 'SET SESSION information_schema_stats_expiry = DEFAULT');
    reusable = true;
    return value;
  } finally {
    if (reusable) conn.release();
    else conn.destroy();
  }
}

/**
 * A `Database` on MySQL 8 (including RDS and Aurora MySQL) or MariaDB 10.5+, through a small
 * mysql2 pool. Statements are formatted client-side (`query`, not `execute`): values are escaped
 * into the text, BigInt keys render as exact literals, and no prepared statement is left behind
 * on a proxy.
 */
export function createMysqlDatabase(options: MysqlDatabaseOptions): Database {
  const pool = mysql.createPool({
    ...mysqlConnectionOptions(options.url),
    connectionLimit: options.poolSize ?? 2,
    waitForConnections: true,
  });
  // A connection killed while idle in the pool reports an 'error' event; the pool drops it, and
  // without a listener a second event on it would crash the process.
  pool.on('connection', (conn) => {
    conn.on('error', () => {});
  });

  let info: Promise<MysqlServerInfo> | undefined;
  const serverInfo = (): Promise<MysqlServerInfo> => {
    if (!info) {
      info = readServerInfo(pool);
      // A failed first contact must not poison every later call.
      info.catch(() => {
        info = undefined;
      });
    }
    return info;
  };

  const db: Database = {
    engine: 'mysql',
    dialect: mysqlDialect,

    query: <R = Row>(text: string, values?: readonly unknown[]) => runQuery<R>(pool, text, values),

    async serverVersion() {
      const { flavour, version } = await serverInfo();
      return `${flavour} ${version}`;
    },

    async withBatchTransaction(batchOptions, fn) {
      return runBatchTransaction(pool, await serverInfo(), batchOptions, fn);
    },

    async withSession(sessionOptions, fn) {
      return runSession(pool, await serverInfo(), sessionOptions, fn);
    },

    async withReadOnlyTransaction(fn) {
      // Read before the transaction takes a connection: with a pool of one it would wait on itself.
      const { flavour } = await serverInfo();
      return runReadOnlyTransaction(pool, flavour, (conn) => fn(readOnlyView(db, conn)));
    },

    async serverRole() {
      return mysqlServerRole(pool, (await serverInfo()).flavour);
    },

    columns: (table: TableRef) => mysqlColumns(pool, table),

    indexes: (table: TableRef) => mysqlIndexes(pool, table),

    async explain(text, values) {
      return mysqlExplain(pool, (await serverInfo()).flavour, text, values);
    },

    async estimateTableRows(table: TableRef) {
      const { flavour } = await serverInfo();
      return flavour === 'mysql'
        ? withFreshStatistics(pool, (c) => mysqlEstimateTableRows(c, table))
        : mysqlEstimateTableRows(pool, table);
    },

    async activeSessions() {
      const { rows } = await runQuery<{ Value: unknown }>(pool, "SHOW GLOBAL STATUS LIKE 'Threads_running'");
      return Number(rows[0]?.Value ?? 0);
    },

    replicaLag: (replicas) => mysqlReplicaLag(replicas),

    async close() {
      try {
        await pool.end();
      } catch (err) {
        throw toDbError(err);
      }
    },
  };
  return db;
}
