import type { Database } from '../db/types';
import type { TableRef } from '../sql/identifiers';

export async function mysqlColumnExists(db: Database, table: TableRef, column: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 AS present FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?`,
    [table.schema ?? null, table.name, column],
  );
  return rows.length > 0;
}

export async function mysqlIndexExists(db: Database, table: TableRef, index: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 AS present FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND INDEX_NAME = ? LIMIT 1`,
    [table.schema ?? null, table.name, index],
  );
  return rows.length > 0;
}

/**
 * The connection still running this exact statement, if any: an ALTER whose client went away (a
 * Lambda cut off at its timeout, a killed process) runs on in the server until it ends or is
 * killed, and MySQL has no statement timeout for DDL. Without the PROCESS privilege the list holds
 * only the user's own connections, which still covers an earlier run of the same recipe.
 */
export async function mysqlStatementRunning(db: Database, statement: string): Promise<number | undefined> {
  const { rows } = await db.query<{ id: unknown }>(
    'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO = ? AND ID <> CONNECTION_ID() LIMIT 1',
    [statement],
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}
