import type { Database } from '../db/types';
import type { TableRef } from '../job/identifiers';

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
