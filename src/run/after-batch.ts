import type { BatchRecord, Checkpoint } from '../control/types';
import { nextSizer } from '../engine/batch-sizer';
import type { BatchOutcome } from '../engine/run-batch';
import type { JobSpec } from '../job/types';
import type { BatchSummary } from './state';

export type AppliedBatch = Extract<BatchOutcome, { status: 'applied' }>;
export type DoneBatch = Extract<BatchOutcome, { status: 'done' }>;

export interface AfterBatchInput {
  readonly spec: JobSpec;
  /** The checkpoint the batch started from. */
  readonly checkpoint: Checkpoint;
  readonly outcome: AppliedBatch;
  /** ISO time the batch is recorded at. */
  readonly at: string;
  readonly executionId: string;
  /** ASL retries this batch needed. */
  readonly retries: number;
  /** The replica lag the health gate measured before this batch, when there are replicas. */
  readonly replicaLagSeconds?: number;
}

/**
 * After a batch committed: the checkpoint to mirror (the ledger stays the truth), with the batch
 * size adapted to the batch's duration, and the batch's history record and summary.
 */
export function afterBatch({
  spec,
  checkpoint,
  outcome,
  at,
  executionId,
  retries,
  replicaLagSeconds,
}: AfterBatchInput): {
  readonly checkpoint: Checkpoint;
  readonly record: BatchRecord;
  readonly summary: BatchSummary;
} {
  const { batchNo, firstKey, lastKey, selected, affected, durationMs, rowsDone } = outcome;
  const sizer = nextSizer(spec.batch, checkpoint.sizer, { rows: selected, durationMs });
  const rowsScanned = checkpoint.rowsScanned + selected;
  return {
    checkpoint: { lastKey, batchNo, rowsDone, rowsScanned, sizer, at },
    record: {
      batchNo,
      firstKey,
      lastKey,
      selected,
      affected,
      durationMs,
      retries,
      batchSize: checkpoint.sizer.size,
      executionId,
      at,
      ...(replicaLagSeconds === undefined ? {} : { replicaLagSeconds }),
    },
    summary: { batchNo, firstKey, lastKey, selected, affected, durationMs },
  };
}

/**
 * A crash between the last commit and its mirror leaves the mirrored checkpoint a batch behind the
 * ledger: the checkpoint that catches it up, or undefined when it is not behind.
 */
export function caughtUp(checkpoint: Checkpoint, outcome: DoneBatch, at: string): Checkpoint | undefined {
  if (checkpoint.batchNo >= outcome.batchNo) return undefined;
  const { batchNo, lastKey, rowsDone } = outcome;
  return { ...checkpoint, batchNo, lastKey, rowsDone, at };
}
