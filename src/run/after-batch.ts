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
 * After one transaction committed: the checkpoint it leaves (the ledger stays the truth), with the
 * next transaction's size adapted to its duration and to the application sessions it blocked.
 */
export function advanceCheckpoint(
  spec: JobSpec,
  checkpoint: Checkpoint,
  outcome: AppliedBatch,
  at: string,
): Checkpoint {
  const { lastKey, batchNo, rowsDone, selected, durationMs, impact } = outcome;
  const sizer = nextSizer(spec.batch, checkpoint.sizer, {
    rows: selected,
    durationMs,
    ...(impact ? { blockedSessions: impact.blockedSessions } : {}),
  });
  return { lastKey, batchNo, rowsDone, rowsScanned: checkpoint.rowsScanned + selected, sizer, at };
}

export interface InvocationInput {
  /** The checkpoint the invocation started from. */
  readonly checkpoint: Checkpoint;
  /** What each of its transactions committed, in order; at least one. */
  readonly transactions: readonly AppliedBatch[];
  /** From the first transaction's start to the last one's end, in milliseconds. */
  readonly durationMs: number;
  /** ISO time the invocation is recorded at. */
  readonly at: string;
  readonly executionId: string;
  /** ASL retries the invocation needed. */
  readonly retries: number;
  /** The replica lag the health gate measured before this invocation, when there are replicas. */
  readonly replicaLagSeconds?: number;
}

/** One apply step's history record and run-state summary: its transactions, summed up. */
export function summarizeInvocation({
  checkpoint,
  transactions,
  durationMs,
  at,
  executionId,
  retries,
  replicaLagSeconds,
}: InvocationInput): { readonly record: BatchRecord; readonly summary: BatchSummary } {
  const first = transactions[0]!;
  const last = transactions[transactions.length - 1]!;
  const sum = (pick: (t: AppliedBatch) => number) => transactions.reduce((n, t) => n + pick(t), 0);
  const watched = transactions.filter((t) => t.impact !== undefined);
  const impact =
    watched.length === 0
      ? {}
      : {
          blockedSessions: Math.max(...watched.map((t) => t.impact!.blockedSessions)),
          longestBlockedWaitMs: Math.max(...watched.map((t) => t.impact!.longestWaitMs)),
        };
  const span = {
    batchNo: last.batchNo,
    firstKey: first.firstKey,
    lastKey: last.lastKey,
    selected: sum((t) => t.selected),
    affected: sum((t) => t.affected),
    durationMs,
    firstBatchNo: first.batchNo,
    transactions: transactions.length,
    longestTransactionMs: Math.max(...transactions.map((t) => t.durationMs)),
    ...impact,
  };
  return {
    record: {
      ...span,
      retries,
      batchSize: checkpoint.sizer.size,
      executionId,
      at,
      ...(replicaLagSeconds === undefined ? {} : { replicaLagSeconds }),
    },
    summary: span,
  };
}

/**
 * After a single batch committed: the checkpoint to mirror and its history record and summary
 * (an invocation of one transaction).
 */
export function afterBatch(input: AfterBatchInput): {
  readonly checkpoint: Checkpoint;
  readonly record: BatchRecord;
  readonly summary: BatchSummary;
} {
  const { spec, checkpoint, outcome, at } = input;
  return {
    checkpoint: advanceCheckpoint(spec, checkpoint, outcome, at),
    ...summarizeInvocation({ ...input, transactions: [outcome], durationMs: outcome.durationMs }),
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
