import type { Database } from '../db/types';
import type { TableRef } from '../sql/identifiers';

export interface PgColumnState {
  readonly exists: boolean;
  readonly notNull: boolean;
  /** The column's type is the same base type as this one (typmod ignored). */
  readonly hasType?: boolean;
}

export async function pgColumn(
  db: Database,
  table: TableRef,
  column: string,
  type?: string,
): Promise<PgColumnState> {
  const { rows } = await db.query<{ not_null: boolean; has_type: boolean | null }>(
    `SELECT a.attnotnull AS not_null,
            CASE WHEN $3::text IS NULL THEN NULL ELSE a.atttypid = to_regtype($3::text) END AS has_type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [db.dialect.quoteTable(table), column, type ?? null],
  );
  const row = rows[0];
  if (!row) return { exists: false, notNull: false };
  return { exists: true, notNull: row.not_null, ...(type ? { hasType: row.has_type === true } : {}) };
}

export type PgConstraintState = 'missing' | 'not-valid' | 'validated';

export async function pgConstraint(db: Database, table: TableRef, name: string): Promise<PgConstraintState> {
  const { rows } = await db.query<{ validated: boolean }>(
    'SELECT convalidated AS validated FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2',
    [db.dialect.quoteTable(table), name],
  );
  const row = rows[0];
  return !row ? 'missing' : row.validated ? 'validated' : 'not-valid';
}

export type PgIndexState = 'missing' | 'valid' | 'invalid';

/** An index by name in the table's schema; INVALID is what a failed CREATE INDEX CONCURRENTLY leaves. */
export async function pgIndex(db: Database, table: TableRef, name: string): Promise<PgIndexState> {
  const { rows } = await db.query<{ valid: boolean }>(
    `SELECT i.indisvalid AND i.indisready AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = to_regclass($1) AND c.relname = $2`,
    [db.dialect.quoteTable(table), name],
  );
  const row = rows[0];
  return !row ? 'missing' : row.valid ? 'valid' : 'invalid';
}

/**
 * The server process still building this index (CREATE INDEX CONCURRENTLY), if any: a build whose
 * client went away (a Lambda cut off at its timeout, a killed process) runs on until it ends or is
 * cancelled, and its index stays INVALID meanwhile. Dropping it then would only wait for the build.
 */
export async function pgIndexBuildPid(
  db: Database,
  table: TableRef,
  name: string,
): Promise<number | undefined> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT p.pid
       FROM pg_stat_progress_create_index p
       JOIN pg_class c ON c.oid = p.index_relid
      WHERE p.relid = to_regclass($1) AND c.relname = $2 AND p.pid <> pg_backend_pid()
      LIMIT 1`,
    [db.dialect.quoteTable(table), name],
  );
  return rows[0]?.pid;
}

/**
 * No row still matches the backfill's predicate. Read-only; it stops at the first match, so it
 * reads the whole table only once the backfill is complete (a rerun after a later phase failed).
 */
export async function pgNoRowsLeft(db: Database, table: TableRef, predicate: string): Promise<boolean> {
  const { rows } = await db.query<{ left: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${db.dialect.quoteTable(table)} WHERE ${predicate}) AS left`,
  );
  return rows[0]?.left === false;
}
