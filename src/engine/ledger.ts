import { sql } from '../db/sql';
import type { Database, Key, Queryable } from '../db/types';
import type { JobSpec } from '../job/types';
import { installAudit } from './audit/audit-table';
import { jobLockName } from './lock-name';
import { analyzeAuditTable } from './rollback/analyze-audit';

/**
 * The ledger lives in the target database, one row per applied batch, written in the batch's own
 * transaction. It is the source of truth for progress: a crash anywhere leaves either the batch and
 * its ledger row, or neither. Its lease tokens fence out a stale owner.
 */
export interface LedgerRow {
  readonly batchNo: number;
  readonly leaseToken: number;
  readonly firstKey: Key;
  readonly lastKey: Key;
  readonly selected: number;
  readonly affected: number;
  /** Rows affected by all batches up to and including this one. */
  readonly rowsDone: number;
}

export interface LedgerHead {
  readonly batchNo: number;
  readonly lastKey: Key | null;
  readonly leaseToken: number;
  readonly rowsDone: number;
}

function ddl(db: Database, table: string): string {
  const t = db.dialect.quoteIdent(table);
  if (db.engine === 'postgres') {
    return `CREATE TABLE IF NOT EXISTS ${t} (
      job_id varchar(64) NOT NULL, batch_no bigint NOT NULL, lease_token bigint NOT NULL,
      first_key text NOT NULL, last_key text NOT NULL, selected integer NOT NULL, affected integer NOT NULL,
      rows_done bigint NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (job_id, batch_no))`;
  }
  return `CREATE TABLE IF NOT EXISTS ${t} (
    job_id varchar(64) NOT NULL, batch_no bigint NOT NULL, lease_token bigint NOT NULL,
    first_key text NOT NULL, last_key text NOT NULL, selected int NOT NULL, affected int NOT NULL,
    rows_done bigint NOT NULL, applied_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (job_id, batch_no)) ENGINE=InnoDB`;
}

/**
 * The install step: creates the ledger table, and for a job with rollback.audit its audit table,
 * if missing. Idempotent; creates tables only, never alters the job's own table. Runs under the
 * job's lock and lock timeout: creating the audit table reads the job's table, and waiting
 * unbounded behind a migration's lock would queue the application behind us.
 */
export async function installLedger(db: Database, spec: JobSpec): Promise<void> {
  const audited = spec.kind !== 'custom' && spec.kind !== 'rollback' && spec.rollback.audit;
  const columns = audited ? await db.columns(spec.table) : [];
  const result = await db.withBatchTransaction(
    {
      lockName: jobLockName(spec),
      lockTimeoutMs: spec.limits.lockTimeoutMs,
      statementTimeoutMs: spec.limits.statementTimeoutMs,
    },
    async (tx) => {
      await tx.query(ddl(db, spec.ledgerTable));
      if (audited) await installAudit(db, tx, spec, columns);
    },
  );
  // Held: a batch of this job is running, so its tables exist.
  if (result.held && !(await ledgerExists(db, spec))) {
    throw new Error(
      `job '${spec.id}' is locked by another session but has no ledger table yet: retry in a moment`,
    );
  }
  if (spec.kind === 'rollback') await analyzeAuditTable(db, spec);
}

export async function ledgerExists(db: Database, spec: JobSpec): Promise<boolean> {
  return (await db.columns({ name: spec.ledgerTable })).length > 0;
}

type RawRow = Record<string, unknown>;

function toRow(r: RawRow): LedgerRow {
  return {
    batchNo: Number(r.batch_no),
    leaseToken: Number(r.lease_token),
    firstKey: String(r.first_key),
    lastKey: String(r.last_key),
    selected: Number(r.selected),
    affected: Number(r.affected),
    rowsDone: Number(r.rows_done),
  };
}

const COLUMNS = 'batch_no, lease_token, first_key, last_key, selected, affected, rows_done';

/**
 * Reads the newest ledger row of the job. Inside a batch this is a plain read: the job's advisory
 * lock already keeps every other batch of the job out, and a locking read would take MySQL gap
 * locks that make two jobs' first batches deadlock on their inserts.
 */
export async function readLedgerHead(q: Queryable, spec: JobSpec): Promise<LedgerHead | undefined> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `SELECT ${COLUMNS} FROM ${b.id(spec.ledgerTable)} WHERE job_id = ${b.val(spec.id)} ORDER BY batch_no DESC LIMIT 1`,
  );
  const { rows } = await q.query<RawRow>(stmt.text, stmt.values);
  if (rows.length === 0) return undefined;
  const row = toRow(rows[0]!);
  return { batchNo: row.batchNo, lastKey: row.lastKey, leaseToken: row.leaseToken, rowsDone: row.rowsDone };
}

/** The job's progress as the target database recorded it; undefined before the first batch. */
export async function readLedger(db: Database, spec: JobSpec): Promise<LedgerHead | undefined> {
  if (!(await ledgerExists(db, spec))) return undefined;
  return readLedgerHead(db, spec);
}

export async function readLedgerRow(
  q: Queryable,
  spec: JobSpec,
  batchNo: number,
): Promise<LedgerRow | undefined> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `SELECT ${COLUMNS} FROM ${b.id(spec.ledgerTable)} WHERE job_id = ${b.val(spec.id)} AND batch_no = ${b.val(batchNo)}`,
  );
  const { rows } = await q.query<RawRow>(stmt.text, stmt.values);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function writeLedgerRow(q: Queryable, spec: JobSpec, row: LedgerRow): Promise<void> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `INSERT INTO ${b.id(spec.ledgerTable)} (job_id, ${COLUMNS}) VALUES (${b.list([
        spec.id,
        row.batchNo,
        row.leaseToken,
        row.firstKey,
        row.lastKey,
        row.selected,
        row.affected,
        row.rowsDone,
      ])})`,
  );
  await q.query(stmt.text, stmt.values);
}

/** Forgets the job's progress so a new run starts from the first key. For operators, never automatic. */
export async function resetLedger(db: Database, spec: JobSpec): Promise<void> {
  if (!(await ledgerExists(db, spec))) return;
  const stmt = sql(
    db.dialect,
    (b) => `DELETE FROM ${b.id(spec.ledgerTable)} WHERE job_id = ${b.val(spec.id)}`,
  );
  await db.query(stmt.text, stmt.values);
}
