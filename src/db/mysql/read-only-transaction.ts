import type { Pool, PoolConnection } from 'mysql2/promise';
import type { ReadOnlyConnection } from '../read-only-view';
import { DbError, type Row } from '../types';
import { toDbError } from './errors';
import { mysqlExplain } from './explain';
import { runQuery } from './run-query';
import type { MysqlFlavour } from './server-info';

/**
 * One read-only transaction on a pooled connection, opened on first use and always rolled back.
 * `START TRANSACTION READ ONLY` alone is not enough: a DDL statement commits the transaction
 * implicitly and then runs in autocommit (MariaDB 10.11 drops the table). With the session also
 * set `TRANSACTION READ ONLY`, every transaction after such a commit is read-only too, so the
 * DDL is refused. The session is set back to READ WRITE before the connection returns to the
 * pool; a connection whose reset failed is closed instead.
 */
export async function runReadOnlyTransaction<T>(
  pool: Pool,
  flavour: MysqlFlavour,
  fn: (conn: ReadOnlyConnection) => Promise<T>,
): Promise<T> {
  let opened: Promise<PoolConnection> | undefined;
  let open = true;
  const connection = (): Promise<PoolConnection> =>
    (opened ??= (async () => {
      let conn: PoolConnection;
      try {
        conn = await pool.getConnection();
      } catch (err) {
        throw toDbError(err);
      }
      try {
        await runQuery(conn, 'SET SESSION TRANSACTION READ ONLY');
        await runQuery(conn, 'START TRANSACTION READ ONLY');
      } catch (err) {
        conn.destroy();
        throw err;
      }
      return conn;
    })());
  const active = async (): Promise<PoolConnection> => {
    if (!open)
      throw new DbError('other', 'a read-only transaction was used after its callback returned', undefined);
    return connection();
  };

  try {
    return await fn({
      query: async <R = Row>(text: string, values?: readonly unknown[]) =>
        runQuery<R>(await active(), text, values),
      explain: async (text, values) => mysqlExplain(await active(), flavour, text, values),
    });
  } finally {
    open = false;
    const conn = await opened?.catch(() => undefined);
    if (conn) {
      try {
        await runQuery(conn, 'ROLLBACK');
        await runQuery(conn, 'SET SESSION TRANSACTION READ WRITE');
        conn.release();
      } catch {
        conn.destroy();
      }
    }
  }
}
