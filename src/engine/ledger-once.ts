import type { Database } from '../db/types';
import type { JobSpec } from '../job/types';
import { installLedger } from './ledger';

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
  // Per job: each job's ledger lives beside its own table and adopts the job's rows from an
  // earlier version's ledger, so one job's install says nothing about another's.
  const key = `${spec.ledgerTable} job:${spec.id}`;
  if (tables.has(key)) return;
  const { complete } = await installLedger(db, spec);
  if (complete) tables.add(key);
}
