import type { Database } from '../../db/types';
import type { RollbackJobSpec } from '../../job/types';
import { auditTableRef } from '../audit/audit-table';

/**
 * Gives the audit table statistics before a rollback walks it. The table is created empty and
 * filled by the job's batches, so PostgreSQL has none until autovacuum gets to it (reltuples -1):
 * the planner then reads the next rollback batch's keys with a full scan and a sort instead of the
 * key index, every batch, and a rollback of 100k rows at batch size 100 scans the table a thousand
 * times. One ANALYZE (a sample, not a scan) fixes the plans for the whole rollback. Runs under the
 * job's lock and statement timeouts; if it cannot, the rollback goes on with the plans it gets.
 */
export async function analyzeAuditTable(db: Database, spec: RollbackJobSpec): Promise<void> {
  const table = db.dialect.quoteTable(auditTableRef(spec.of));
  const text = db.engine === 'postgres' ? `ANALYZE ${table}` : `ANALYZE TABLE ${table}`;
  try {
    await db.withSession(
      { lockTimeoutMs: spec.limits.lockTimeoutMs, statementTimeoutMs: spec.limits.statementTimeoutMs },
      (session) => session.query(text),
    );
  } catch {
    // Statistics only make it faster; a rollback without them is still correct.
  }
}
