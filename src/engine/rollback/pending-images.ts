import { sql } from '../../db/sql';
import type { Database } from '../../db/types';
import type { RollbackJobSpec } from '../../job/types';
import { AUDIT_COLUMNS as A, auditTableRef } from '../audit/audit-table';

/** Before-images of the rollback's job still to restore. */
export async function pendingImages(db: Database, spec: RollbackJobSpec): Promise<number> {
  const stmt = sql(
    db.dialect,
    (b) =>
      `SELECT count(*) AS n FROM ${b.table(auditTableRef(spec.of))} WHERE ${b.id(A.state)} = ${b.val('applied')}`,
  );
  return Number((await db.query<{ n: unknown }>(stmt.text, stmt.values)).rows[0]?.n ?? 0);
}
