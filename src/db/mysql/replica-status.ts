import { DbError, type ReplicaLag, type Row } from '../types';
import { type MysqlRunner, runQuery } from './run-query';

/** ER_PARSE_ERROR: the server predates `SHOW REPLICA STATUS` (MySQL < 8.0.22, MariaDB < 10.5.1). */
const PARSE_ERROR = '1064';
/** ER_SPECIFIC_ACCESS_DENIED_ERROR and ER_ACCESS_DENIED_ERROR / ER_DBACCESS_DENIED_ERROR. */
const ACCESS_DENIED = new Set(['1227', '1045', '1044', '1142']);

export const REPLICATION_PRIVILEGE_HINT =
  'grant REPLICATION CLIENT (MySQL) or REPLICA MONITOR (MariaDB 10.5.9 and later) to the user in the connection URL';

export function isAccessDenied(err: unknown): boolean {
  return err instanceof DbError && err.code !== undefined && ACCESS_DENIED.has(err.code);
}

/** The replica status row, or undefined when this server does not replicate from another. */
export async function readReplicaStatus(runner: MysqlRunner, timeoutMs?: number): Promise<Row | undefined> {
  try {
    return (await runQuery(runner, 'SHOW REPLICA STATUS', undefined, timeoutMs)).rows[0];
  } catch (err) {
    if (!(err instanceof DbError) || err.code !== PARSE_ERROR) throw err;
  }
  return (await runQuery(runner, 'SHOW SLAVE STATUS', undefined, timeoutMs)).rows[0];
}

/**
 * A field under either spelling: MySQL 8.0.22+ says Replica/Source, MariaDB and older MySQL say
 * Slave/Master (MariaDB keeps the old column names even for `SHOW REPLICA STATUS`).
 */
export function statusField(row: Row, modern: string, legacy: string): unknown {
  return row[modern] ?? row[legacy];
}

function text(value: unknown): string {
  return value === null || value === undefined || value === '' ? '(no error recorded)' : String(value);
}

/**
 * Judges one replica from its status row. `healthy` means replication runs and the lag is
 * readable; comparing the lag with a job's limit is the caller's business. Unknown lag is null,
 * never 0, so a stopped replica can never pass for a caught-up one.
 */
export function replicaLagFromStatus(replica: string, row: Row | undefined): ReplicaLag {
  if (!row) {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `${replica}: replication is not configured on this server (SHOW REPLICA STATUS is empty); check that the URL points at a replica`,
    };
  }
  const io = statusField(row, 'Replica_IO_Running', 'Slave_IO_Running');
  if (io !== 'Yes') {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `${replica}: the replication IO thread is not running (${String(io)}): ${text(row.Last_IO_Error)}`,
    };
  }
  const sqlThread = statusField(row, 'Replica_SQL_Running', 'Slave_SQL_Running');
  if (sqlThread !== 'Yes') {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `${replica}: the replication SQL thread is not running (${String(sqlThread)}): ${text(row.Last_SQL_Error)}`,
    };
  }
  const behind = statusField(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
  if (behind === null || behind === undefined || behind === '' || !Number.isFinite(Number(behind))) {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `${replica}: replication is running but Seconds_Behind_Source is NULL, so the lag is unknown`,
    };
  }
  const lagSeconds = Number(behind);
  return { replica, lagSeconds, healthy: true, detail: `${replica}: replicating, ${lagSeconds} s behind` };
}
