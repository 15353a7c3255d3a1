import type { Database, Key, Queryable, Tx } from '../../db/types';
import type { VerifyResult } from '../../job/types';
import type { LedgerRow } from '../ledger';

export interface BatchInfo {
  /** The number this batch will have in the ledger. */
  readonly batchNo: number;
}

/** A job as the runner drives it: the declarative kinds compile to this, custom jobs wrap their hooks. */
export interface CompiledJob {
  selectBatch(tx: Tx, afterKey: Key | null, limit: number): Promise<Key[]>;
  applyBatch(tx: Tx, keys: readonly Key[], batch: BatchInfo): Promise<number>;
  /** Inside the batch's transaction, before commit. */
  verifyBatch(tx: Tx, keys: readonly Key[], affected: number): Promise<VerifyResult>;
  /** After commit: re-reads the batch's key range to catch a writer or trigger that undid the work. */
  verifyCommitted(q: Queryable, row: LedgerRow): Promise<VerifyResult>;
  /** Postflight, once at the end, up to the last key the job reached. */
  validate(db: Database, lastKey: Key | null): Promise<VerifyResult>;
  /** Estimated rows the job will touch (planner estimate, no scan). */
  estimateRows(db: Database): Promise<number>;
}

export const OK: VerifyResult = { ok: true };

export function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}
