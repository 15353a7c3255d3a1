import mysql from 'mysql2/promise';
import { readOnlyView } from '../read-only-view';
import type { Database, Row } from '../types';
import { runBatchTransaction } from './batch-transaction';
import { heldFreshStatistics, mysqlCatalogReads, pooledFreshStatistics } from './catalog-reads';
import { mysqlConnectionOptions } from './connection-options';
import { mysqlDialect } from './dialect';
import { toDbError } from './errors';
import { mysqlExplain } from './explain';
import { runReadOnlyTransaction } from './read-only-transaction';
import { runQuery } from './run-query';
import { type MysqlServerInfo, readServerInfo } from './server-info';
import { runSession } from './session';

export interface MysqlDatabaseOptions {
  /** `mysql://user:password@host:3306/database`, optionally with `?ssl=true`. */
  readonly url: string;
  /** Connections in the pool; a batch holds one for its whole transaction. Default 2. */
  readonly poolSize?: number;
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

  const catalog = mysqlCatalogReads(pool, serverInfo, pooledFreshStatistics(pool));

  const db: Database = {
    engine: 'mysql',
    dialect: mysqlDialect,

    query: <R = Row>(text: string, values?: readonly unknown[]) => runQuery<R>(pool, text, values),

    async withBatchTransaction(batchOptions, fn) {
      return runBatchTransaction(pool, await serverInfo(), batchOptions, fn);
    },

    async withSession(sessionOptions, fn) {
      return runSession(pool, await serverInfo(), sessionOptions, fn);
    },

    async withReadOnlyTransaction(fn) {
      // Read before the transaction takes a connection: with a pool of one it would wait on itself.
      const { flavour } = await serverInfo();
      // The view's catalog reads run on the transaction's own connection: see readOnlyView.
      return runReadOnlyTransaction(pool, flavour, (conn) =>
        fn(
          readOnlyView(
            db,
            conn,
            mysqlCatalogReads(conn.runner, serverInfo, heldFreshStatistics(conn.runner)),
          ),
        ),
      );
    },

    ...catalog,

    async explain(text, values) {
      return mysqlExplain(pool, (await serverInfo()).flavour, text, values);
    },

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
