import { sql } from '../../../db/sql';
import type { RollbackJobSpec } from '../../../job/types';
import { formatTableRef } from '../../../sql/identifiers';
import { AUDIT_COLUMNS as A, auditTableRef } from '../../audit/audit-table';
import { pendingImages } from '../../rollback/pending-images';
import { type PreflightCheck, pass, refuse } from '../types';

/**
 * A rollback needs its job's audit table, with one before-image per key still to restore. Listed by
 * the rollback kind (kinds/traits/rollback.ts), which runs it for rollbacks only.
 */
export const auditTable: PreflightCheck<RollbackJobSpec> = {
  name: 'audit-table',
  description: 'A rollback finds the audit table of the job it undoes, with at most one image per key.',
  async run({ spec, db }) {
    const audit = auditTableRef(spec.of);
    if ((await db.columns(audit)).length === 0) {
      return refuse(
        this.name,
        `audit table ${formatTableRef(audit)} does not exist: job '${spec.of.id}' never ran with rollback.audit`,
      );
    }
    const stmt = sql(
      db.dialect,
      (b) =>
        `SELECT ${b.id(spec.key)} AS k FROM ${b.table(audit)} WHERE ${b.id(A.state)} = ${b.val('applied')} GROUP BY ${b.id(spec.key)} HAVING count(*) > 1 ORDER BY ${b.id(spec.key)} LIMIT 3`,
    );
    const dups = (await db.query<{ k: unknown }>(stmt.text, stmt.values)).rows.map((r) => String(r.k));
    if (dups.length > 0) {
      return refuse(
        this.name,
        `the audit holds more than one before-image for keys ${dups.join(', ')} (the job ran over them twice): restore those by hand first`,
      );
    }
    return pass(
      this.name,
      `${await pendingImages(db, spec)} before-images to restore from ${formatTableRef(audit)}`,
    );
  },
};
