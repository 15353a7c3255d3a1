import type { Database, Queryable } from '../db/types';
import type { JobSpec } from '../job/types';
import { formatTableRef, isIdentifier, type TableRef } from '../sql/identifiers';

/** A table as the server identifies it: its schema (PostgreSQL) or database (MySQL), and its name. */
export interface QualifiedTable {
  readonly schema: string;
  readonly name: string;
}

/** The job's table cannot be pinned to one schema or database; the message says what to change. */
export class TargetTableError extends Error {
  override readonly name = 'TargetTableError';
}

export function qualifiedName(table: QualifiedTable): string {
  return `${table.schema}.${table.name}`;
}

/**
 * Finds the table a name means on this connection. PostgreSQL: `to_regclass` on the quoted name,
 * so an unqualified name goes through the search_path exactly as the job's own SQL would, and the
 * answer is the schema it landed in. MySQL: the named database, or else the connection's
 * `DATABASE()`. Undefined when there is no such table.
 */
export async function resolveTable(q: Queryable, table: TableRef): Promise<QualifiedTable | undefined> {
  if (q.dialect.engine === 'postgres') {
    const { rows } = await q.query<{ schema: string; name: string }>(
      `SELECT n.nspname::text AS schema, c.relname::text AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass($1)`,
      [q.dialect.quoteTable(table)],
    );
    return rows[0] ? { schema: rows[0].schema, name: rows[0].name } : undefined;
  }
  const { rows } = await q.query<{ schema: string | null; name: string | null }>(
    `SELECT d.db AS \`schema\`, t.TABLE_NAME AS name
       FROM (SELECT COALESCE(?, DATABASE()) AS db) d
       LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = d.db AND t.TABLE_NAME = ?`,
    [table.schema ?? null, table.name],
  );
  const row = rows[0];
  if (!row?.schema) {
    throw new TargetTableError(
      `table ${formatTableRef(table)} names no database and the connection has none selected: ` +
        'write the table as database.table in the job, or name a database in the connection URL',
    );
  }
  return row.name ? { schema: String(row.schema), name: String(row.name) } : undefined;
}

const resolved = new WeakMap<Database, WeakMap<JobSpec, QualifiedTable>>();

/**
 * Hands a target resolved on one handle to another on the same server, e.g. a dry run's
 * read-only view of the database: each view then reuses the one resolution instead of asking the
 * server again inside its own transaction.
 */
export function rememberTarget(db: Database, spec: JobSpec, target: QualifiedTable): void {
  let forDb = resolved.get(db);
  if (!forDb) {
    forDb = new WeakMap();
    resolved.set(db, forDb);
  }
  forDb.set(spec, target);
}

/**
 * The job's table, resolved once per database handle. The ledger, the advisory lock and the job's
 * own SQL all use this identity, so two connections whose defaults differ (MySQL's default
 * database, PostgreSQL's search_path) still mean the same table, the same ledger and the same lock.
 */
export async function jobTarget(db: Database, spec: JobSpec): Promise<QualifiedTable> {
  let forDb = resolved.get(db);
  if (!forDb) {
    forDb = new WeakMap();
    resolved.set(db, forDb);
  }
  const known = forDb.get(spec);
  if (known) return known;
  const target = await resolveTable(db, spec.table);
  if (!target) {
    throw new TargetTableError(
      `table ${formatTableRef(spec.table)} does not exist (or the user cannot see it): check the job's table and database`,
    );
  }
  if (!isIdentifier(target.schema) || !isIdentifier(target.name)) {
    throw new TargetTableError(
      `table ${formatTableRef(spec.table)} resolved to ${JSON.stringify(qualifiedName(target))}, which is not made of plain identifiers lowtide can quote: rename the schema or table`,
    );
  }
  forDb.set(spec, target);
  return target;
}
