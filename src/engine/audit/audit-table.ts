import { sql } from '../../db/sql';
import type { ColumnInfo, Database, Dialect, Queryable } from '../../db/types';
import type { JobSpec } from '../../job/types';
import type { TableRef } from '../../sql/identifiers';

/**
 * Before-images live in one audit table per job, created with the source table's own column types
 * (CREATE TABLE ... AS SELECT with no rows), so every value is copied server-side, type to same
 * type: numerics, timestamps with time zones, json, bytea/blob and NULLs round-trip exactly.
 * Extra columns say which batch wrote the image, what it was for, and the row's fingerprint right
 * after the job changed it (to tell a later change by the application apart).
 */
export const AUDIT_COLUMNS = {
  batchNo: 'lowtide_batch_no',
  op: 'lowtide_op',
  after: 'lowtide_after',
  state: 'lowtide_state',
  note: 'lowtide_note',
} as const;

export type AuditState = 'applied' | 'restored' | 'conflict';

export function auditTableRef(spec: JobSpec): TableRef {
  return { name: `lowtide_audit_${spec.id.replace(/-/g, '_')}` };
}

/**
 * A stable fingerprint of a row's values, computed by the server. PostgreSQL: the row constructor's
 * text form (NULL and '' differ there). MySQL: QUOTE() of each value, which keeps NULL, '' and
 * binary apart and never rounds a decimal.
 */
export function rowFingerprint(dialect: Dialect, alias: string, columns: readonly string[]): string {
  const cols = columns.map((c) => `${alias}.${dialect.quoteIdent(c)}`);
  if (dialect.engine === 'postgres') return `md5(CAST(ROW(${cols.join(', ')}) AS text))`;
  return `MD5(CONCAT_WS(',', ${cols.map((c) => `QUOTE(${c})`).join(', ')}))`;
}

/**
 * Creates the job's audit table (idempotent) with the source's columns plus lowtide's own. `q` is
 * the install step's transaction (it carries the lock timeout); `columns` the source's columns.
 */
export async function installAudit(
  db: Database,
  q: Queryable,
  spec: JobSpec,
  columns: readonly ColumnInfo[],
  /** The job's key columns, in order: the audit table is indexed on them. */
  keyColumns: readonly string[],
): Promise<void> {
  const audit = auditTableRef(spec);
  const clash = columns.find((c) => (Object.values(AUDIT_COLUMNS) as string[]).includes(c.name));
  if (clash)
    throw new Error(
      `table ${spec.table.name} has a column named ${clash.name}, which lowtide's audit table needs`,
    );
  if ((await db.columns(audit)).length > 0) return;
  const pg = db.engine === 'postgres';
  const create = sql(db.dialect, (b) => {
    const extra = [
      `CAST(0 AS ${pg ? 'bigint' : 'SIGNED'}) AS ${b.id(AUDIT_COLUMNS.batchNo)}`,
      `CAST(NULL AS ${pg ? 'varchar(10)' : 'CHAR(10)'}) AS ${b.id(AUDIT_COLUMNS.op)}`,
      `CAST(NULL AS ${pg ? 'varchar(32)' : 'CHAR(32)'}) AS ${b.id(AUDIT_COLUMNS.after)}`,
      `CAST(NULL AS ${pg ? 'varchar(16)' : 'CHAR(16)'}) AS ${b.id(AUDIT_COLUMNS.state)}`,
      `CAST(NULL AS ${pg ? 'text' : 'CHAR(1000)'}) AS ${b.id(AUDIT_COLUMNS.note)}`,
    ];
    const select = `SELECT s.*, ${extra.join(', ')} FROM ${b.table(spec.table)} s`;
    return pg
      ? `CREATE TABLE IF NOT EXISTS ${b.table(audit)} AS ${select} WITH NO DATA`
      : `CREATE TABLE IF NOT EXISTS ${b.table(audit)} ENGINE=InnoDB AS ${select} WHERE 1 = 0`;
  });
  await q.query(create.text, create.values);
  const index = db.dialect.quoteIdent(`${audit.name}_key`.slice(0, 63));
  const key = keyColumns.map((c) => db.dialect.quoteIdent(c)).join(', ');
  await q.query(`CREATE INDEX ${index} ON ${db.dialect.quoteTable(audit)} (${key})`);
}

export async function auditExists(db: Database, spec: JobSpec): Promise<boolean> {
  return (await db.columns(auditTableRef(spec))).length > 0;
}
