import type { Database } from '../db/types';
import { parseTableRef } from '../sql/identifiers';
import type { AnalyzeOptions, ColumnFacts, ConstraintFacts, MysqlServer } from './types';
import { type ServerVersions, versionsFromServer } from './versions';

export type GuardContext = Pick<AnalyzeOptions, 'server' | 'tableSizes' | 'catalog' | 'versions'>;

/** `mariadb 10.11.19`; undefined when it cannot be read. */
async function serverAnswer(db: Database): Promise<string | undefined> {
  try {
    return (await db.serverVersion()).toLowerCase();
  } catch {
    return undefined;
  }
}

/** `mariadb 10.11.19` -> mariadb; a version that cannot be read leaves both rule sets in force. */
function serverOf(answer: string | undefined): MysqlServer {
  if (answer === undefined) return 'any';
  return answer.startsWith('mariadb') ? 'mariadb' : answer.startsWith('mysql') ? 'mysql' : 'any';
}

async function postgresConstraint(
  db: Database,
  table: string,
  name: string,
): Promise<ConstraintFacts | undefined> {
  const ref = parseTableRef(table);
  if (!ref) return undefined;
  // A NOT VALID check prints as "CHECK ((col IS NOT NULL)) NOT VALID".
  const { rows } = await db.query<{ validated: boolean; not_null_column: string | null }>(
    `SELECT c.convalidated AS validated,
            (SELECT a.attname FROM pg_attribute a
              WHERE a.attrelid = c.conrelid AND a.attnum > 0 AND NOT a.attisdropped AND c.contype = 'c'
                AND regexp_replace(pg_get_constraintdef(c.oid), ' NOT VALID$', '')
                    = format('CHECK ((%s IS NOT NULL))', quote_ident(a.attname))
              LIMIT 1) AS not_null_column
       FROM pg_constraint c
      WHERE c.conrelid = to_regclass($1) AND c.conname = $2`,
    [db.dialect.quoteTable(ref), name],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { validated: row.validated, ...(row.not_null_column ? { notNullColumn: row.not_null_column } : {}) };
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
 * What the guard reads from the live database: the server flavour and release, table sizes (the planner's
 * estimate, no scan) and column definitions. Names that are not plain identifiers, and tables
 * that do not exist, give undefined: unknown, so nothing is downgraded.
 */
export async function guardContextFromDatabase(db: Database): Promise<GuardContext> {
  const answer = await serverAnswer(db);
  const versions: ServerVersions = answer ? versionsFromServer(answer) : {};
  return {
    ...(db.engine === 'mysql' ? { server: serverOf(answer) } : {}),
    versions,
    tableSizes: async (table) => {
      const ref = parseTableRef(table);
      if (!ref || (await db.columns(ref)).length === 0) return undefined;
      return db.estimateTableRows(ref);
    },
    catalog: {
      column: (table, column) =>
        db.engine === 'postgres' ? postgresColumn(db, table, column) : mysqlColumn(db, table, column),
      ...(db.engine === 'postgres'
        ? { constraint: (table: string, name: string) => postgresConstraint(db, table, name) }
        : {}),
    },
  };
}
