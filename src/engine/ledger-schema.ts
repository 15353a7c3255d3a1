import type { Database, Queryable } from '../db/types';
import type { QualifiedTable } from './target';

/** The ledger table as this version creates it. */
export function createLedgerSql(db: Database, table: QualifiedTable): string {
  const t = db.dialect.quoteTable(table);
  if (db.engine === 'postgres') {
    return `CREATE TABLE IF NOT EXISTS ${t} (
      job_id varchar(64) NOT NULL, batch_no bigint NOT NULL, lease_token bigint NOT NULL,
      first_key text NOT NULL, last_key text NOT NULL, selected integer NOT NULL, affected integer NOT NULL,
      rows_done bigint NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      target_table varchar(200) NOT NULL DEFAULT '', pass integer NOT NULL DEFAULT 1, pass_ended_by bigint NULL,
      PRIMARY KEY (job_id, batch_no))`;
  }
  return `CREATE TABLE IF NOT EXISTS ${t} (
    job_id varchar(64) NOT NULL, batch_no bigint NOT NULL, lease_token bigint NOT NULL,
    first_key text NOT NULL, last_key text NOT NULL, selected int NOT NULL, affected int NOT NULL,
    rows_done bigint NOT NULL, applied_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    target_table varchar(200) NOT NULL DEFAULT '', pass int NOT NULL DEFAULT 1, pass_ended_by bigint NULL,
    PRIMARY KEY (job_id, batch_no)) ENGINE=InnoDB`;
}

/**
 * Columns added to the ledger after its first version, with the defaults that make an older row
 * mean what it meant: `target_table` '' is "written before the ledger recorded its table", `pass`
 * 1 the job's first walk over its table, `pass_ended_by` NULL a pass not known to be complete (the
 * lease token of the run that found nothing left otherwise). Added with a constant default, which
 * both engines apply without rewriting the table.
 */
const ADDED_COLUMNS: readonly { readonly name: string; readonly postgres: string; readonly mysql: string }[] =
  [
    {
      name: 'target_table',
      postgres: "varchar(200) NOT NULL DEFAULT ''",
      mysql: "varchar(200) NOT NULL DEFAULT ''",
    },
    { name: 'pass', postgres: 'integer NOT NULL DEFAULT 1', mysql: 'int NOT NULL DEFAULT 1' },
    { name: 'pass_ended_by', postgres: 'bigint NULL', mysql: 'bigint NULL' },
  ];

/** Columns the ledger has, by name. */
export async function ledgerColumns(db: Database, table: QualifiedTable): Promise<Set<string>> {
  return new Set((await db.columns(table)).map((c) => c.name));
}

/**
 * Brings a ledger made by an earlier version up to this one's columns; `present` are the columns
 * it had before (read outside the transaction: inside it, only `q` may be used, and a server with
 * one connection, like the embedded PGlite, has no other to give). A ledger just created has them
 * all. Two jobs may upgrade a shared ledger at once: PostgreSQL's ADD COLUMN IF NOT EXISTS and
 * MySQL's duplicate-column error (1060, ER_DUP_FIELDNAME) make the loser a no-op.
 */
export async function upgradeLedger(
  db: Database,
  q: Queryable,
  table: QualifiedTable,
  present: ReadonlySet<string>,
): Promise<void> {
  if (present.size === 0) return;
  for (const column of ADDED_COLUMNS) {
    if (present.has(column.name)) continue;
    const t = db.dialect.quoteTable(table);
    const c = db.dialect.quoteIdent(column.name);
    if (db.engine === 'postgres') {
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${column.postgres}`);
      continue;
    }
    try {
      await q.query(`ALTER TABLE ${t} ADD COLUMN ${c} ${column.mysql}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '1060' && !/duplicate column/i.test(String(error)))
        throw error;
    }
  }
}
