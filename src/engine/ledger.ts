import { type SqlBuilder, sql } from '../db/sql';
import type { Database, Key, Queryable } from '../db/types';
import type { JobSpec } from '../job/types';
import { formatTableRef } from '../sql/identifiers';
import { installAudit } from './audit/audit-table';
import { keyCodecOf } from './keys';
import { kindOf } from './kinds/registry';
import { adoptLegacyRows, findLegacyLedger, type JobLedger, jobLedger } from './ledger-place';
import { createLedgerSql, ledgerColumns, upgradeLedger } from './ledger-schema';
import { jobLock } from './lock-name';
import { type QualifiedTable, TargetTableError } from './target';

export type { JobLedger } from './ledger-place';
export { jobLedger } from './ledger-place';

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
  /** The walk over the table this batch belongs to; 1 for the first (see rerunOf). */
  readonly pass: number;
  /** The lease token of the run that found this pass complete, or null while it is not known to be. */
  readonly passEndedBy: number | null;
}

/**
 * The install step: creates the ledger table beside the job's table (see JobLedger), brings an
 * older ledger up to this version's columns, adopts the job's rows from the ledger an earlier
 * version kept in the connection's default schema, and for a job with rollback.audit creates its
 * audit table. Idempotent; creates tables only, never alters the job's own table. Runs under the
 * job's lock and lock timeout: creating the audit table reads the job's table, and waiting
 * unbounded behind a migration's lock would queue the application behind us. The adoption runs in
 * a transaction of its own, after the DDL (which MySQL commits implicitly), so it is atomic there too.
 */
export async function installLedger(db: Database, spec: JobSpec): Promise<{ readonly complete: boolean }> {
  const kind = kindOf(spec);
  const audited = kind.audited(spec);
  const columns = audited ? await db.columns(spec.table) : [];
  const keyColumns = audited ? (await keyCodecOf(db, spec)).columns : [];
  const ledger = await jobLedger(db, spec);
  // Catalog reads happen before the transactions: inside them only `tx` may be used.
  const present = await ledgerColumns(db, ledger.table);
  const legacy = await findLegacyLedger(db, ledger);
  const options = {
    ...(await jobLock(db, spec)),
    lockTimeoutMs: spec.limits.lockTimeoutMs,
    statementTimeoutMs: spec.limits.statementTimeoutMs,
  };
  const created = await db.withBatchTransaction(options, async (tx) => {
    await tx.query(createLedgerSql(db, ledger.table));
    await upgradeLedger(db, tx, ledger.table, present);
    if (audited) await installAudit(db, tx, spec, columns, keyColumns);
  });
  const adopted = created.held
    ? created
    : await db.withBatchTransaction(options, (tx) => adoptLegacyRows(tx, ledger, legacy));
  // Held: a batch of this job is running, so its tables exist.
  if (adopted.held && !(await ledgerExists(db, spec))) {
    throw new Error(
      `job '${spec.id}' is locked by another session but has no ledger table yet: retry in a moment`,
    );
  }
  await kind.afterInstall?.(db, spec);
  // Held: the tables exist, but an earlier ledger may not have been adopted yet; install again.
  return { complete: !adopted.held };
}

export async function ledgerExists(db: Database, spec: JobSpec): Promise<boolean> {
  return (await db.columns((await jobLedger(db, spec)).table)).length > 0;
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
 * locks that make two jobs' first batches deadlock on their inserts. Refuses a head written for
 * another table: the job's id was reused for a different table, and its progress means nothing here.
 */
export async function readLedgerHead(q: Queryable, ledger: JobLedger): Promise<LedgerHead | undefined> {
  return headOf(q, ledger.table, ledger, { present: ALL_COLUMNS });
}

/** Columns a ledger of an earlier version may lack; read only where present. */
const ALL_COLUMNS: ReadonlySet<string> = new Set(['target_table', 'pass', 'pass_ended_by']);

async function headOf(
  q: Queryable,
  table: QualifiedTable,
  ledger: JobLedger,
  options: { readonly present: ReadonlySet<string>; readonly rows?: (b: SqlBuilder) => string },
): Promise<LedgerHead | undefined> {
  const extra = [...ALL_COLUMNS].filter((c) => options.present.has(c));
  const stmt = sql(q.dialect, (b) => {
    const rows = options.rows ? options.rows(b) : `job_id = ${b.val(ledger.jobId)}`;
    const more = extra.map((c) => `, ${c}`).join('');
    return `SELECT ${COLUMNS}${more} FROM ${b.table(table)} WHERE ${rows} ORDER BY batch_no DESC LIMIT 1`;
  });
  const { rows } = await q.query<RawRow>(stmt.text, stmt.values);
  const raw = rows[0];
  if (!raw) return undefined;
  const recorded = String(raw.target_table ?? '');
  if (recorded !== '' && recorded !== ledger.target) {
    throw new TargetTableError(
      `job '${ledger.jobId}' has progress recorded for table ${recorded}, but it now runs on ${ledger.target}: ` +
        `give the job a new id, or reset its ledger (DELETE FROM ${formatTableRef(table)} WHERE job_id = '${ledger.jobId}') to start over`,
    );
  }
  const row = toRow(raw);
  return {
    batchNo: row.batchNo,
    lastKey: row.lastKey,
    leaseToken: row.leaseToken,
    rowsDone: row.rowsDone,
    pass: raw.pass === undefined || raw.pass === null ? 1 : Number(raw.pass),
    passEndedBy:
      raw.pass_ended_by === undefined || raw.pass_ended_by === null ? null : Number(raw.pass_ended_by),
  };
}

/**
 * The job's progress as the target database recorded it; undefined before the first batch. Before
 * the install step has adopted them, the rows an earlier version kept in the connection's default
 * schema count (a dry run then reports where the job really stands).
 */
export async function readLedger(db: Database, spec: JobSpec): Promise<LedgerHead | undefined> {
  const ledger = await jobLedger(db, spec);
  const columns = await ledgerColumns(db, ledger.table);
  if (columns.size > 0) {
    const head = await headOf(db, ledger.table, ledger, { present: columns });
    if (head) return head;
  }
  const legacy = await findLegacyLedger(db, ledger);
  if (!legacy) return undefined;
  return headOf(db, legacy.table, ledger, { present: new Set(), rows: legacy.rows });
}

export async function readLedgerRow(
  q: Queryable,
  ledger: JobLedger,
  batchNo: number,
): Promise<LedgerRow | undefined> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `SELECT ${COLUMNS} FROM ${b.table(ledger.table)} WHERE job_id = ${b.val(ledger.jobId)} AND batch_no = ${b.val(batchNo)}`,
  );
  const { rows } = await q.query<RawRow>(stmt.text, stmt.values);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function writeLedgerRow(
  q: Queryable,
  ledger: JobLedger,
  row: LedgerRow,
  pass: number,
): Promise<void> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `INSERT INTO ${b.table(ledger.table)} (job_id, ${COLUMNS}, target_table, pass) VALUES (${b.list([
        ledger.jobId,
        row.batchNo,
        row.leaseToken,
        row.firstKey,
        row.lastKey,
        row.selected,
        row.affected,
        row.rowsDone,
        ledger.target,
        pass,
      ])})`,
  );
  await q.query(stmt.text, stmt.values);
}

/** Records on the pass's last batch that the run holding `leaseToken` found nothing left after it. */
export async function markPassEnded(
  q: Queryable,
  ledger: JobLedger,
  batchNo: number,
  leaseToken: number,
): Promise<void> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `UPDATE ${b.table(ledger.table)} SET pass_ended_by = ${b.val(leaseToken)} WHERE job_id = ${b.val(ledger.jobId)} AND batch_no = ${b.val(batchNo)}`,
  );
  await q.query(stmt.text, stmt.values);
}

/** Every batch of one pass, in order. */
export async function readPass(q: Queryable, ledger: JobLedger, pass: number): Promise<LedgerRow[]> {
  const stmt = sql(
    q.dialect,
    (b) =>
      `SELECT ${COLUMNS} FROM ${b.table(ledger.table)} WHERE job_id = ${b.val(ledger.jobId)} AND pass = ${b.val(pass)} ORDER BY batch_no`,
  );
  return (await q.query<RawRow>(stmt.text, stmt.values)).rows.map(toRow);
}

/**
 * Forgets the job's progress so a new run starts from the first key, in its ledger and in any
 * ledger an earlier version left in the connection's default schema. For operators, never automatic.
 */
export async function resetLedger(db: Database, spec: JobSpec): Promise<void> {
  const ledger = await jobLedger(db, spec);
  if (await ledgerExists(db, spec)) {
    const stmt = sql(
      db.dialect,
      (b) => `DELETE FROM ${b.table(ledger.table)} WHERE job_id = ${b.val(spec.id)}`,
    );
    await db.query(stmt.text, stmt.values);
  }
  const legacy = await findLegacyLedger(db, ledger);
  if (!legacy) return;
  const stmt = sql(db.dialect, (b) => `DELETE FROM ${b.table(legacy.table)} WHERE ${legacy.rows(b)}`);
  await db.query(stmt.text, stmt.values);
}
