import type mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';
import type { TableRef } from '../../sql/identifiers';
import type { CatalogReads } from '../read-only-view';
import { toDbError } from './errors';
import { mysqlColumns, mysqlEstimateTableRows, mysqlIndexes } from './introspection';
import { mysqlReplicaLag } from './replica-lag';
import { type MysqlRunner, runQuery } from './run-query';
import type { MysqlServerInfo } from './server-info';
import { mysqlServerRole } from './server-role';

/** Runs `read` with MySQL 8's day-long cache of information_schema table statistics off. */
export type FreshStatistics = <T>(read: (runner: MysqlRunner) => Promise<T>) => Promise<T>;

const STATS_OFF = 'SET SESSION information_schema_stats_expiry = 0';
const STATS_DEFAULT = 'SET SESSION information_schema_stats_expiry = DEFAULT';

/** On a connection of its own from the pool; one whose setting could not be reset is closed. */
export function pooledFreshStatistics(pool: Pool): FreshStatistics {
  return async (read) => {
    let conn: mysql.PoolConnection;
    try {
      conn = await pool.getConnection();
    } catch (err) {
      throw toDbError(err);
    }
    let reusable = false;
    try {
      await runQuery(conn, STATS_OFF);
      const value = await read(conn);
      await runQuery(conn, STATS_DEFAULT);
      reusable = true;
      return value;
    } finally {
      if (reusable) conn.release();
      else conn.destroy();
    }
  };
}

/** On a connection the caller holds (a dry run's read-only transaction), set back afterwards. */
export function heldFreshStatistics(runner: MysqlRunner): FreshStatistics {
  return async (read) => {
    await runQuery(runner, STATS_OFF);
    try {
      return await read(runner);
    } finally {
      await runQuery(runner, STATS_DEFAULT);
    }
  };
}

/**
 * The catalog reads on one runner: the pool for the Database itself, or the connection of a dry
 * run's read-only transaction for its view. Replicas are other servers, read over connections
 * of their own.
 */
export function mysqlCatalogReads(
  runner: MysqlRunner,
  serverInfo: () => Promise<MysqlServerInfo>,
  freshStatistics: FreshStatistics,
): CatalogReads {
  return {
    async serverVersion() {
      const { flavour, version } = await serverInfo();
      return `${flavour} ${version}`;
    },
    async serverRole() {
      return mysqlServerRole(runner, (await serverInfo()).flavour);
    },
    columns: (table: TableRef) => mysqlColumns(runner, table),
    indexes: (table: TableRef) => mysqlIndexes(runner, table),
    async estimateTableRows(table: TableRef) {
      const { flavour } = await serverInfo();
      return flavour === 'mysql'
        ? freshStatistics((r) => mysqlEstimateTableRows(r, table))
        : mysqlEstimateTableRows(runner, table);
    },
    async activeSessions() {
      const { rows } = await runQuery<{ Value: unknown }>(
        runner,
        "SHOW GLOBAL STATUS LIKE 'Threads_running'",
      );
      return Number(rows[0]?.Value ?? 0);
    },
    replicaLag: (replicas) => mysqlReplicaLag(replicas),
  };
}
