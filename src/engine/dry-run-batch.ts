import type { Database, Key } from '../db/types';
import type { JobSpec, VerifyResult } from '../job/types';
import { batchTransactionOptions } from './batch-transaction';
import { compileJob } from './kinds/compile';
import { readLedger } from './ledger';
import { passStart } from './passes';
import { logPosition } from './write-log';

export interface DryRunBatchRequest {
  readonly spec: JobSpec;
  readonly db: Database;
  /** Rows to select at most. */
  readonly batchSize: number;
  /**
   * `change` (default): select, change and verify, as a batch does; `select`: the selection alone,
   * for work whose change cannot be tried inside a transaction that is rolled back.
   */
  readonly mode?: 'change' | 'select';
  /** Read the server's log position before and after the change (see write-log.ts). */
  readonly measureLog?: boolean;
}

export type DryRunOutcome =
  | {
      readonly status: 'changed';
      readonly firstKey: Key;
      readonly lastKey: Key;
      readonly selected: number;
      readonly affected: number;
      /** The job's own check of the batch: a run would roll back (and fail) where it is not ok. */
      readonly verdict: VerifyResult;
      /** From opening the transaction to the verified change, before the rollback. */
      readonly durationMs: number;
      /** WAL or redo bytes the change wrote before the rollback, when asked for and readable. */
      readonly logBytes?: number;
    }
  | { readonly status: 'selected'; readonly selected: number; readonly durationMs: number }
  /** Nothing left to select where the next run would start. */
  | { readonly status: 'empty' }
  /** Another session is inside a batch of this job; nothing was done and nothing waited. */
  | { readonly status: 'held' };

/** Thrown inside the transaction, so the database rolls back all of it, carrying what was measured. */
class RollBack extends Error {
  constructor(readonly outcome: DryRunOutcome) {
    super('dry-run batch measured; rolling back');
  }
}

/**
 * Where the next run starts: a run always holds a newer lease token than the one that completed
 * the last pass, so a `new-pass` job starts again from the first key.
 */
const NEXT_RUN = { token: Number.MAX_SAFE_INTEGER };

/**
 * One batch exactly as the next run would take it (the same transaction settings and advisory
 * lock, the keyset selection after the ledger's last key, the job's change and verification),
 * always rolled back: it commits nothing and writes no ledger row. The ledger is read before the
 * transaction, tolerating a job that has none yet, and never created. Row locks are held for one
 * batch's duration, as a real batch holds them. Throws what the batch's statements throw.
 */
export async function dryRunBatch({
  spec,
  db,
  batchSize,
  mode = 'change',
  measureLog = false,
}: DryRunBatchRequest): Promise<DryRunOutcome> {
  const job = await compileJob(spec, db);
  const head = await readLedger(db, spec);
  const start = passStart(spec, head, NEXT_RUN);
  const options = await batchTransactionOptions(db, spec);
  const started = performance.now();
  try {
    const result = await db.withBatchTransaction(options, async (tx) => {
      if (mode === 'select') {
        const keys = await job.selectBatch(tx, start.afterKey, batchSize);
        if (keys.length === 0) throw new RollBack({ status: 'empty' });
        throw new RollBack({
          status: 'selected',
          selected: keys.length,
          durationMs: performance.now() - started,
        });
      }
      const before = measureLog ? await logPosition(tx) : undefined;
      const batch = await job.changeBatch(tx, start.afterKey, batchSize, {
        batchNo: (head?.batchNo ?? 0) + 1,
      });
      if (!batch) throw new RollBack({ status: 'empty' });
      const durationMs = performance.now() - started;
      const after = before === undefined ? undefined : await logPosition(tx);
      const logBytes = before !== undefined && after !== undefined ? Math.max(0, after - before) : undefined;
      throw new RollBack({
        status: 'changed',
        ...batch,
        durationMs,
        ...(logBytes === undefined ? {} : { logBytes }),
      });
    });
    if (result.held) return { status: 'held' };
  } catch (error) {
    if (error instanceof RollBack) return error.outcome;
    throw error;
  }
  throw new Error('the dry-run batch transaction committed unexpectedly');
}
