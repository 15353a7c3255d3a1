import { type SqlBuilder, sql } from '../db/sql';
import type { Database, Queryable } from '../db/types';
import type { JobSpec } from '../job/types';
import { ledgerColumns } from './ledger-schema';
import { jobTarget, type QualifiedTable, qualifiedName, resolveTable, TargetTableError } from './target';

/**
 * Where a job's progress lives. The ledger table sits in the schema (PostgreSQL) or database
 * (MySQL) of the job's own table, whatever the connection's defaults: the user that changes the
 * table can already create tables there on most servers, no extra schema or database needs
 * creating (MySQL's CREATE DATABASE is a global privilege applications rarely hold), and a copy
 * or restore of that schema carries its progress along with the rows it describes.
 */
export interface JobLedger {
  readonly jobId: string;
  /** The ledger table, qualified. */
  readonly table: QualifiedTable;
  /** The job's table as `schema.name`, recorded in each row the job writes. */
  readonly target: string;
}

export async function jobLedger(db: Database, spec: JobSpec): Promise<JobLedger> {
  const target = await jobTarget(db, spec);
  return {
    jobId: spec.id,
    table: { schema: target.schema, name: spec.ledgerTable },
    target: qualifiedName(target),
  };
}

/**
 * The ledger an earlier version would have used: the unqualified table in the connection's
 * default schema or database. Undefined when there is none, or when it is this job's own ledger.
 */
export async function legacyLedger(db: Database, ledger: JobLedger): Promise<QualifiedTable | undefined> {
  let found: QualifiedTable | undefined;
  try {
    found = await resolveTable(db, { name: ledger.table.name });
  } catch (error) {
    // No default database: an earlier version could not have run here either.
    if (error instanceof TargetTableError) return undefined;
    throw error;
  }
  if (!found) return undefined;
  return qualifiedName(found) === qualifiedName(ledger.table) ? undefined : found;
}

/**
 * A legacy ledger found before the install transaction, with the condition that picks this job's
 * rows in it: its job id, and where that ledger already records tables, only rows of this job's
 * table (or of none).
 */
export interface LegacyLedger {
  readonly table: QualifiedTable;
  readonly rows: (b: SqlBuilder) => string;
}

export async function findLegacyLedger(db: Database, ledger: JobLedger): Promise<LegacyLedger | undefined> {
  const table = await legacyLedger(db, ledger);
  if (!table) return undefined;
  const recordsTables = (await ledgerColumns(db, table)).has('target_table');
  return {
    table,
    rows: (b) =>
      recordsTables
        ? `job_id = ${b.val(ledger.jobId)} AND ${b.id('target_table')} IN (${b.val('')}, ${b.val(ledger.target)})`
        : `job_id = ${b.val(ledger.jobId)}`,
  };
}

async function countRows(q: Queryable, table: QualifiedTable, where: (b: SqlBuilder) => string) {
  const stmt = sql(
    q.dialect,
    (b) => `SELECT count(*) AS n, max(batch_no) AS last FROM ${b.table(table)} WHERE ${where(b)}`,
  );
  const row = (await q.query<{ n: unknown; last: unknown }>(stmt.text, stmt.values)).rows[0];
  return { rows: Number(row?.n ?? 0), lastBatch: Number(row?.last ?? 0) };
}

/** The job has progress in two ledgers; which one is real only its operator can tell. */
export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflictError';
}

const COPIED =
  'job_id, batch_no, lease_token, first_key, last_key, selected, affected, rows_done, applied_at';

/**
 * Moves the job's rows from the ledger an earlier version kept in the connection's default
 * schema (`found`, looked up before the transaction) into the job's own ledger, in `tx` (one
 * transaction: both copies never exist at once),
 * and stamps rows written before the ledger recorded tables with the job's table. Refuses when
 * both ledgers hold progress for the job.
 */
export async function adoptLegacyRows(
  tx: Queryable,
  ledger: JobLedger,
  found: LegacyLedger | undefined,
): Promise<void> {
  if (found) {
    const { table: legacy, rows: mine } = found;
    const old = await countRows(tx, legacy, mine);
    if (old.rows > 0) {
      const current = await countRows(tx, ledger.table, (b) => `job_id = ${b.val(ledger.jobId)}`);
      if (current.rows > 0) {
        const here = qualifiedName(ledger.table);
        const there = qualifiedName(legacy);
        throw new LedgerConflictError(
          `job '${ledger.jobId}' has progress in two ledgers: ${here} (${current.rows} batches, up to batch ${current.lastBatch}) ` +
            `and ${there} (${old.rows} batches, up to batch ${old.lastBatch}), the second left by an earlier lowtide in the connection's default schema. ` +
            `lowtide now keeps one ledger beside the job's table (${here}). Check which progress is real, then delete the other's rows ` +
            `(DELETE FROM ${there} WHERE job_id = '${ledger.jobId}', or the same on ${here}) and run again`,
        );
      }
      const copy = sql(
        tx.dialect,
        (b) =>
          `INSERT INTO ${b.table(ledger.table)} (${COPIED}, target_table) SELECT ${COPIED}, ${b.val(ledger.target)} FROM ${b.table(legacy)} WHERE ${mine(b)}`,
      );
      await tx.query(copy.text, copy.values);
      const drop = sql(tx.dialect, (b) => `DELETE FROM ${b.table(legacy)} WHERE ${mine(b)}`);
      await tx.query(drop.text, drop.values);
    }
  }
  const stamp = sql(
    tx.dialect,
    (b) =>
      `UPDATE ${b.table(ledger.table)} SET target_table = ${b.val(ledger.target)} WHERE job_id = ${b.val(ledger.jobId)} AND target_table = ${b.val('')}`,
  );
  await tx.query(stamp.text, stamp.values);
}
