import { sql } from '../../db/sql';
import type { Database } from '../../db/types';
import type { JobSpec } from '../../job/types';
import { formatTableRef } from '../../sql/identifiers';
import { AUDIT_COLUMNS as A, auditTableRef } from '../audit/audit-table';
import { keepsBeforeImages } from '../kinds/registry';
import { jobLedger } from '../ledger-place';

export class AuditRetentionError extends Error {
  override readonly name = 'AuditRetentionError';
}

export interface DropAuditOptions {
  /** Drop even though a rollback might still be wanted. */
  readonly force?: boolean;
  readonly now?: Date;
}

/**
 * Drops a job's audit table. Refused while a rollback might still be wanted: some before-images are
 * not yet restored and the job's last batch is younger than rollback.retentionDays. Returns false
 * when there was nothing to drop.
 */
export async function dropAudit(
  db: Database,
  spec: JobSpec,
  options: DropAuditOptions = {},
): Promise<boolean> {
  if (!keepsBeforeImages(spec)) throw new Error(`job '${spec.id}' keeps no audit data`);
  const audit = auditTableRef(spec);
  if ((await db.columns(audit)).length === 0) return false;
  if (!options.force) {
    const pending = sql(
      db.dialect,
      (b) => `SELECT count(*) AS n FROM ${b.table(audit)} WHERE ${b.id(A.state)} = ${b.val('applied')}`,
    );
    const unrestored = Number((await db.query<{ n: unknown }>(pending.text, pending.values)).rows[0]?.n ?? 0);
    if (unrestored > 0) {
      const ledger = await jobLedger(db, spec);
      const last = sql(
        db.dialect,
        (b) => `SELECT max(applied_at) AS t FROM ${b.table(ledger.table)} WHERE job_id = ${b.val(spec.id)}`,
      );
      const at = (await db.query<{ t: unknown }>(last.text, last.values)).rows[0]?.t;
      const lastBatch = at
        ? new Date(at instanceof Date ? at : `${String(at).replace(' ', 'T')}Z`)
        : undefined;
      const ageDays = lastBatch
        ? ((options.now ?? new Date()).getTime() - lastBatch.getTime()) / 86_400_000
        : Number.POSITIVE_INFINITY;
      if (ageDays < spec.rollback.retentionDays) {
        throw new AuditRetentionError(
          `refusing to drop ${formatTableRef(audit)}: ${unrestored} before-images could still be rolled back and the job's last batch is ` +
            `${ageDays.toFixed(1)} days old (rollback.retentionDays is ${spec.rollback.retentionDays}); pass force to drop anyway`,
        );
      }
    }
  }
  await db.query(`DROP TABLE ${db.dialect.quoteTable(audit)}`);
  return true;
}
