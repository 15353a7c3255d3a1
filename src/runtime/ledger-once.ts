import type { Database } from '../db/types';
import { installLedger } from '../engine';
import type { JobSpec } from '../job/types';

const installed = new WeakMap<Database, Set<string>>();

/**
 * Creates the job's ledger table on the first batch a process runs against a database, and
 * remembers it: the DDL is idempotent but not free, and a Lambda container runs many batches.
 * Preflight never calls this, so a blocked or dry run writes nothing.
 */
export async function ensureLedger(db: Database, spec: JobSpec): Promise<void> {
  let tables = installed.get(db);
  if (!tables) {
    tables = new Set();
    installed.set(db, tables);
  }
  // An audited job also has its own audit table, so the ledger alone does not say it is installed.
  const audited = spec.kind !== 'custom' && spec.kind !== 'rollback' && spec.rollback.audit;
  const key = audited ? `${spec.ledgerTable} audit:${spec.id}` : spec.ledgerTable;
  if (tables.has(key)) return;
  await installLedger(db, spec);
  tables.add(key);
}
