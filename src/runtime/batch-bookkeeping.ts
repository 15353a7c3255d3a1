import type { Checkpoint, JobState, Lease } from '../control/types';
import type { JobSpec } from '../job/types';
import {
  type AppliedBatch as Applied,
  caughtUp,
  type DoneBatch as Done,
  summarizeInvocation,
} from '../run/after-batch';
import type { BatchSummary } from '../run/state';
import type { HandlerDeps } from './deps';
import { invocationMetrics } from './job-metrics';

interface Context {
  readonly deps: HandlerDeps;
  readonly spec: JobSpec;
  readonly job: JobState;
  readonly lease: Pick<Lease, 'token'>;
  readonly checkpoint: Checkpoint;
  readonly executionId: string;
  /** ASL retries this batch needed. */
  readonly retries: number;
  /** The replica lag the health gate measured before this batch, when there are replicas. */
  readonly replicaLagSeconds?: number;
}

/**
 * After an apply step's transactions committed (each already verified): mirror the checkpoint the
 * last one left to DynamoDB under our token, token-conditioned and without raising the item's
 * version, and keep one history record, the metrics and a log line for the whole invocation.
 */
export async function recordInvocation(
  ctx: Context,
  transactions: readonly Applied[],
  checkpoint: Checkpoint,
  durationMs: number,
): Promise<BatchSummary> {
  const { deps, spec } = ctx;
  const at = deps.now().toISOString();
  const { record, summary } = summarizeInvocation({ ...ctx, transactions, durationMs, at });
  // Two items, independent of each other; the history tells of batches that committed either way.
  await Promise.all([
    deps.store.saveCheckpoint(spec.id, ctx.lease, { ...checkpoint, at }),
    deps.store.appendBatch(spec.id, record),
  ]);
  const estimate = ctx.job.estimatedRows;
  const remainingRows = estimate === undefined ? undefined : estimate - checkpoint.rowsDone;
  deps.metrics.record(spec.id, invocationMetrics({ ...record, remainingRows }));
  deps.logger.info('batches applied', {
    jobId: spec.id,
    batches: `${record.firstBatchNo}..${record.batchNo}`,
    transactions: record.transactions,
    selected: record.selected,
    affected: record.affected,
    durationMs,
    longestTransactionMs: record.longestTransactionMs,
    blockedSessions: record.blockedSessions,
    nextSize: checkpoint.sizer.size,
  });
  return summary;
}

/** A crash between the last commit and its mirror leaves DynamoDB a batch behind: catch it up. */
export async function catchUpCheckpoint(ctx: Context, outcome: Done): Promise<void> {
  const checkpoint = caughtUp(ctx.checkpoint, outcome, ctx.deps.now().toISOString());
  if (checkpoint) await ctx.deps.store.saveCheckpoint(ctx.spec.id, ctx.lease, checkpoint);
}
