import mysql from 'mysql2/promise';
import type { ReplicaLag, ReplicaTarget } from '../types';
import { describeMysqlUrl, mysqlConnectionOptions } from './connection-options';
import { toDbError } from './errors';
import {
  isAccessDenied,
  REPLICATION_PRIVILEGE_HINT,
  readReplicaStatus,
  replicaLagFromStatus,
} from './replica-status';

/** A health probe must answer quickly: an unreachable replica counts as unhealthy, not as a wait. */
const PROBE_TIMEOUT_MS = 3000;

async function probe(target: ReplicaTarget): Promise<ReplicaLag> {
  const where = `${target.name} (${describeMysqlUrl(target.url)})`;
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection(
      mysqlConnectionOptions(target.url, { connectTimeout: PROBE_TIMEOUT_MS }),
    );
    // A socket error after the answer must not surface as an unhandled 'error' event.
    conn.on('error', () => {});
    return replicaLagFromStatus(target.name, await readReplicaStatus(conn, PROBE_TIMEOUT_MS));
  } catch (err) {
    const error = toDbError(err);
    const hint = isAccessDenied(error) ? `; ${REPLICATION_PRIVILEGE_HINT}` : '';
    return {
      replica: target.name,
      lagSeconds: null,
      healthy: false,
      detail: `replica ${where} could not be read: ${error.message}${hint}`,
    };
  } finally {
    if (conn) await conn.end().catch(() => conn?.destroy());
  }
}

/**
 * Reads each replica's own `SHOW REPLICA STATUS`, in parallel. A MySQL primary cannot see its
 * replicas' lag, so with no replicas listed there is nothing to report.
 */
export async function mysqlReplicaLag(replicas: readonly ReplicaTarget[]): Promise<ReplicaLag[]> {
  return Promise.all(replicas.map(probe));
}
