import { sql } from '../../db/sql';
import type { Database } from '../../db/types';
import type { JobSpec, RollbackJobSpec } from '../../job/types';
import { AUDIT_COLUMNS as A, auditTableRef } from '../audit/audit-table';
import { keyCodecOf } from '../keys';
import { keepsBeforeImages } from '../kinds/registry';
import type { CompiledJob } from '../kinds/types';
import { byKeyList, OK } from '../kinds/types';
import { pendingImages } from './pending-images';
import { RestoreSql } from './restore-sql';

export const ROLLBACK_SUFFIX = '-rollback';

export interface RollbackOptions {
  /** Overwrite rows the application changed after the job, instead of reporting and leaving them. */
  readonly force?: boolean;
}

export function rollbackJobId(jobId: string): string {
  return `${jobId}${ROLLBACK_SUFFIX}`;
}

/**
 * The job that undoes `spec` from its audit table. It runs through the same runner as any job
 * (advisory lock, its own ledger rows, timeouts, checkpoints, pause and resume).
 */
export function rollbackJob(spec: JobSpec, options: RollbackOptions = {}): RollbackJobSpec {
  if (!keepsBeforeImages(spec)) {
    throw new Error(`job '${spec.id}' is ${spec.kind}: lowtide keeps no before-images for it`);
  }
  if (!spec.rollback.audit) {
    throw new Error(`job '${spec.id}' ran without rollback.audit, so it has no before-images to restore`);
  }
  const { kind: _kind, id: _id, ...rest } = spec;
  return { ...rest, kind: 'rollback', id: rollbackJobId(spec.id), of: spec, force: options.force ?? false };
}

/**
 * Keyset batches over the audited keys still to restore. Updated rows get their before-image back,
 * deleted rows are re-inserted, archived rows move back; a row the application changed after the
 * job is left as it is and marked as a conflict, unless forced. Every key ends restored or conflict,
 * so affected always equals selected.
 */
export async function compileRollback(spec: RollbackJobSpec, db: Database): Promise<CompiledJob> {
  const original = spec.of;
  const codec = await keyCodecOf(db, original);
  const columns = (await db.columns(original.table)).map((c) => c.name);
  const r = new RestoreSql(original, columns, codec);
  const audit = auditTableRef(original);
  return {
    ...byKeyList({
      async selectBatch(tx, afterKey, limit) {
        const stmt = sql(tx.dialect, (b) => {
          const after = afterKey === null ? '' : `${codec.after(b, afterKey)} AND `;
          return `SELECT ${codec.selectKeys(b)} FROM ${b.table(audit)} WHERE ${after}${b.id(A.state)} = ${b.val('applied')} ORDER BY ${codec.orderBy(b)} LIMIT ${b.val(limit)}`;
        });
        return (await tx.query(stmt.text, stmt.values)).rows.map((row) => codec.fromRow(row));
      },
      async applyBatch(tx, keys) {
        let conflicts = 0;
        if (spec.force) {
          await r.clearReinsertTargets(tx, keys);
        } else {
          conflicts += await r.markUpdateConflicts(tx, keys);
          conflicts += await r.markReinsertConflicts(tx, keys);
        }
        await r.restoreUpdated(tx, keys);
        await r.reinsertRemoved(tx, keys);
        return conflicts + (await r.markRestored(tx, keys));
      },
      verifyBatch: async (_tx, keys, affected) =>
        affected === keys.length
          ? OK
          : { ok: false, reason: `restored or reported ${affected} rows of ${keys.length} selected` },
    }),
    verifyCommitted: async () => OK,
    validate: async () => OK,
    estimateRows: (database) => pendingImages(database, spec),
  };
}
