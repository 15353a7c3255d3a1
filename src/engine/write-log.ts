import type { Queryable } from '../db/types';

/**
 * Where the server's write-ahead log stands, in bytes since its start, read inside the batch
 * transaction so that a change rolled back afterwards has still moved it:
 * - PostgreSQL: pg_current_wal_insert_lsn(), the insert position. WAL records are inserted as each
 *   row changes, before commit; pg_current_wal_lsn() (the write position) only moves when the WAL
 *   buffers are written out, often not before commit, so it would read 0 for a rolled-back sample.
 * - MariaDB: Innodb_lsn_current; MySQL 8.0.30+: Innodb_redo_log_current_lsn (the redo LSN, which
 *   moves as each mini-transaction commits, before the transaction does); older MySQL:
 *   Innodb_os_log_written, bytes written out to the redo files (a lower bound, as writes may lag).
 * Both are server-wide: other sessions' writes during the sample add to it. Undefined when the
 * server shows none of them.
 */
export async function logPosition(q: Queryable): Promise<number | undefined> {
  if (q.dialect.engine === 'postgres') {
    const { rows } = await q.query<{ bytes: string }>(
      "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS bytes",
    );
    return Number(rows[0]?.bytes);
  }
  const { rows } = await q.query<{ Variable_name: string; Value: string }>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_lsn_current', 'Innodb_redo_log_current_lsn', 'Innodb_os_log_written')",
  );
  const value = new Map(rows.map((r) => [r.Variable_name.toLowerCase(), Number(r.Value)]));
  return (
    value.get('innodb_lsn_current') ??
    value.get('innodb_redo_log_current_lsn') ??
    value.get('innodb_os_log_written')
  );
}
