import { sql } from '../../db/sql';
import type { Database, Key } from '../../db/types';
import type { JobSpec } from '../../job/types';
import { AUDIT_COLUMNS as A, auditTableRef } from '../audit/audit-table';
import { keyCodecOf } from '../keys';

export interface RollbackConflict {
  readonly key: Key;
  readonly reason: string;
  /** Columns whose current value differs from the before-image (the job's own change included). */
  readonly changedColumns: readonly string[];
}

/** Rows a rollback left alone because the application changed them after the job, with what changed. */
export async function listRollbackConflicts(
  db: Database,
  spec: JobSpec,
  limit = 100,
): Promise<RollbackConflict[]> {
  const audit = auditTableRef(spec);
  if ((await db.columns(audit)).length === 0) return [];
  const columns = (await db.columns(spec.table)).map((c) => c.name);
  const codec = await keyCodecOf(db, spec);
  const stmt = sql(db.dialect, (b) => {
    const current = columns.map((c) => `s.${b.id(c)} AS ${b.id(`now_${c}`.slice(0, 63))}`).join(', ');
    return `SELECT a.*, ${codec.selectKeys(b, 'a')}, ${current} FROM ${b.table(audit)} a LEFT JOIN ${b.table(spec.table)} s ON ${codec.sameKey(b, 's', 'a')} WHERE a.${b.id(A.state)} = ${b.val('conflict')} ORDER BY ${codec.orderBy(b, 'a')} LIMIT ${b.val(limit)}`;
  });
  const { rows } = await db.query<Record<string, unknown>>(stmt.text, stmt.values);
  return rows.map((row) => ({
    key: codec.fromRow(row),
    reason: String(row[A.note] ?? 'conflict'),
    changedColumns: columns.filter((c) => !sameValue(row[c], row[`now_${c}`.slice(0, 63)])),
  }));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object')
    return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}
