import type { Database, Key, Queryable, Tx } from '../../db/types';
import type { VerifyResult } from '../../job/types';
import type { LedgerRow } from '../ledger';

export interface BatchInfo {
  /** The number this batch will have in the ledger. */
  readonly batchNo: number;
}

/** One batch as changed inside its transaction, before commit. */
export interface ChangedBatch {
  readonly firstKey: Key;
  readonly lastKey: Key;
  /** Rows the selection found. */
  readonly selected: number;
  /** Rows the change affected. */
  readonly affected: number;
  /** The kind's check of the batch; not ok rolls the batch back. */
  readonly verdict: VerifyResult;
}

/** A job as the runner drives it: the declarative kinds compile to this, custom jobs wrap their hooks. */
export interface CompiledJob {
  /**
   * Selects the next batch after `afterKey` (at most `limit` rows), changes it and checks it, all
   * inside `tx`; null when nothing is left to select.
   */
  changeBatch(tx: Tx, afterKey: Key | null, limit: number, batch: BatchInfo): Promise<ChangedBatch | null>;
  /** The selection alone, locked, for a plan's sample of a job whose change cannot be tried. */
  selectBatch(tx: Tx, afterKey: Key | null, limit: number): Promise<Key[]>;
  /** After commit: re-reads the batch's key range to catch a writer or trigger that undid the work. */
  verifyCommitted(q: Queryable, row: LedgerRow): Promise<VerifyResult>;
  /**
   * Postflight, once at the end, over the key range the job's last pass walked (null: it walked
   * nothing). Each batch was already checked over its own range before it committed, so what is
   * wrong in the range now changed after its batch ran: the declarative kinds report it as a note.
   */
  validate(db: Database, walked: PassSpan | null): Promise<VerifyResult>;
  /** Estimated rows the job will touch (planner estimate, no scan). */
  estimateRows(db: Database): Promise<number>;
}

/** The key range one pass walked: its first batch's first key to its last batch's last key. */
export interface PassSpan {
  readonly firstKey: Key;
  readonly lastKey: Key;
}

export const OK: VerifyResult = { ok: true };

export function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

/** The three steps of a batch that works on a list of keys: select them, change them, check them. */
export interface KeyListSteps {
  selectBatch(tx: Tx, afterKey: Key | null, limit: number): Promise<Key[]>;
  applyBatch(tx: Tx, keys: readonly Key[], batch: BatchInfo): Promise<number>;
  verifyBatch(tx: Tx, keys: readonly Key[], affected: number): Promise<VerifyResult>;
}

/**
 * A batch that carries its keys to the client and back: custom jobs (whose author chooses the
 * keys), rollbacks and audited jobs (whose copies must match the change key for key).
 */
export function byKeyList(steps: KeyListSteps): Pick<CompiledJob, 'changeBatch' | 'selectBatch'> {
  return {
    selectBatch: (tx, afterKey, limit) => steps.selectBatch(tx, afterKey, limit),
    async changeBatch(tx, afterKey, limit, batch) {
      const keys = await steps.selectBatch(tx, afterKey, limit);
      if (keys.length === 0) return null;
      const affected = await steps.applyBatch(tx, keys, batch);
      const verdict = await steps.verifyBatch(tx, keys, affected);
      return {
        firstKey: keys[0]!,
        lastKey: keys[keys.length - 1]!,
        selected: keys.length,
        affected,
        verdict,
      };
    },
  };
}
