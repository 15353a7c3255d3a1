import type { ServerRole } from '../types';
import { type PgQueryable, runQuery } from './run-query';

/** `postgres 15.4`: the version without the build's platform text. */
export async function readServerVersion(db: PgQueryable): Promise<string> {
  const { rows } = await runQuery<{ server_version: string }>(db, 'SHOW server_version');
  const version = rows[0]!.server_version.split(' ')[0];
  return `postgres ${version}`;
}

/**
 * Whether this server takes writes. `default_transaction_read_only` as the database, the role and
 * the configuration set it, so a primary locked read-only (e.g. for a migration or by a storage-full
 * guard) reads as read-only too. The default, not `transaction_read_only`: a dry run reads this
 * inside its own read-only transaction, where the current transaction is read-only by design.
 */
export async function readServerRole(db: PgQueryable): Promise<ServerRole> {
  const { rows } = await runQuery<{ in_recovery: boolean; read_only: boolean }>(
    db,
    `SELECT pg_is_in_recovery() AS in_recovery,
            current_setting('default_transaction_read_only') = 'on' AS read_only`,
  );
  const { in_recovery: replica, read_only } = rows[0]!;
  if (replica) {
    return {
      readOnly: true,
      replica: true,
      detail:
        'this server is a hot standby (pg_is_in_recovery() is true) and refuses writes: point the job at the primary',
    };
  }
  if (read_only) {
    return {
      readOnly: true,
      replica: false,
      detail:
        'this server is a primary but transactions here are read-only (default_transaction_read_only is on for the database, the role or the server): turn it off (ALTER DATABASE/ROLE ... SET default_transaction_read_only = off) or use a connection that may write',
    };
  }
  return { readOnly: false, replica: false, detail: 'this server is a writable primary' };
}

/**
 * Client backends running a statement right now, on every database of the server, not counting
 * this one. Sessions of other roles are visible only with pg_monitor (or pg_read_all_stats); grant
 * it to lowtide's role, or this count misses them.
 */
export async function countActiveSessions(db: PgQueryable): Promise<number> {
  const { rows } = await runQuery<{ active: string }>(
    db,
    `SELECT count(*) AS active
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()`,
  );
  return Number(rows[0]!.active);
}
