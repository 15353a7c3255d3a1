import type { Database } from '../db/types';
import { parseTableRef } from '../sql/identifiers';
import type { AnalyzeOptions, ColumnFacts, MysqlServer } from './types';

export type GuardContext = Pick<AnalyzeOptions, 'server' | 'tableSizes' | 'catalog'>;

/** `mariadb 10.11.19` -> mariadb; a version that cannot be read leaves both rule sets in force. */
async function serverOf(db: Database): Promise<MysqlServer> {
  try {
    const version = (await db.serverVersion()).toLowerCase();
    return version.startsWith('mariadb') ? 'mariadb' : version.startsWith('mysql') ? 'mysql' : 'any';
  } catch {
    return 'any';
  }
}

async function postgresColumn(db: Database, table: string, column: string): Promise<ColumnFacts | undefined> {
  const ref = parseTableRef(table);
  if (!ref) return undefined;
  const { rows } = await db.query<{ type: string; nullable: boolean; validated_check: boolean }>(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type,
            NOT a.attnotnull AS nullable,
            EXISTS (
              SELECT 1 FROM pg_constraint c
               WHERE c.conrelid = a.attrelid AND c.contype = 'c' AND c.convalidated
                 AND pg_get_constraintdef(c.oid) = format('CHECK ((%s IS NOT NULL))', quote_ident(a.attname))
            ) AS validated_check
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [db.dialect.quoteTable(ref), column],
  );
  const row = rows[0];
  return row
    ? { type: row.type, nullable: row.nullable, validatedNotNullCheck: row.validated_check }
    : undefined;
}

async function mysqlColumn(db: Database, table: string, column: string): Promise<ColumnFacts | undefined> {
  const ref = parseTableRef(table);
  if (!ref) return undefined;
  const { rows } = await db.query<{ type: unknown; nullable: unknown; chars: unknown; octets: unknown }>(
    `SELECT COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
            CHARACTER_MAXIMUM_LENGTH AS chars, CHARACTER_OCTET_LENGTH AS octets
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?`,
    [ref.schema ?? null, ref.name, column],
  );
  const row = rows[0];
  if (!row) return undefined;
  const chars = Number(row.chars);
  const octets = Number(row.octets);
  return {
    type: String(row.type),
    nullable: String(row.nullable).toUpperCase() === 'YES',
    ...(chars > 0 && octets > 0 ? { bytesPerChar: Math.round(octets / chars) } : {}),
  };
}

/**
 * What the guard reads from the live database: the server flavour, table sizes (the planner's
 * estimate, no scan) and column definitions. Names that are not plain identifiers, and tables
 * that do not exist, give undefined: unknown, so nothing is downgraded.
 */
export async function guardContextFromDatabase(db: Database): Promise<GuardContext> {
  return {
    ...(db.engine === 'mysql' ? { server: await serverOf(db) } : {}),
    tableSizes: async (table) => {
      const ref = parseTableRef(table);
      if (!ref || (await db.columns(ref)).length === 0) return undefined;
      return db.estimateTableRows(ref);
    },
    catalog: {
      column: (table, column) =>
        db.engine === 'postgres' ? postgresColumn(db, table, column) : mysqlColumn(db, table, column),
    },
  };
}
