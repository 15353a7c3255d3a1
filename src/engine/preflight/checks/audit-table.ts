import { sql } from '../../../db/sql';
import type { RollbackJobSpec } from '../../../job/types';
import { formatTableRef } from '../../../sql/identifiers';
import { AUDIT_COLUMNS as A, auditTableRef } from '../../audit/audit-table';
import { keyCodecOf } from '../../keys';
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
    const codec = await keyCodecOf(db, spec.of);
    const stmt = sql(
      db.dialect,
      (b) =>
        `SELECT ${codec.selectKeys(b)} FROM ${b.table(audit)} WHERE ${b.id(A.state)} = ${b.val('applied')} GROUP BY ${codec.orderBy(b)} HAVING count(*) > 1 ORDER BY ${codec.orderBy(b)} LIMIT 3`,
    );
    const dups = (await db.query(stmt.text, stmt.values)).rows.map((r) => codec.display(codec.fromRow(r)));
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
