import type { Checkpoint, JobState, Lease } from '../control/types';
import type { JobSpec } from '../job/types';
import {
  type AppliedBatch as Applied,
  afterBatch,
  caughtUp,
  type DoneBatch as Done,
} from '../run/after-batch';
import type { BatchSummary } from '../run/state';
import type { HandlerDeps } from './deps';
import { batchMetrics } from './job-metrics';

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
 * After a batch committed (src/run/after-batch.ts decides what): mirror the checkpoint to DynamoDB
 * under our token, token-conditioned and without raising the item's version, and keep history,
 * metrics and a log line.
 */
export async function recordAppliedBatch(ctx: Context, outcome: Applied): Promise<BatchSummary> {
  const { deps, spec } = ctx;
  const { checkpoint, record, summary } = afterBatch({ ...ctx, outcome, at: deps.now().toISOString() });
  // Two items, independent of each other; the history tells of a batch that committed either way.
  await Promise.all([
    deps.store.saveCheckpoint(spec.id, ctx.lease, checkpoint),
    deps.store.appendBatch(spec.id, record),
  ]);
  const { selected, affected, durationMs, batchNo } = summary;
  const estimate = ctx.job.estimatedRows;
  const remainingRows = estimate === undefined ? undefined : estimate - checkpoint.rowsDone;
  deps.metrics.record(
    spec.id,
    batchMetrics({ selected, affected, durationMs, retries: ctx.retries, remainingRows }),
  );
  deps.logger.info('batch applied', {
    jobId: spec.id,
    batchNo,
    selected,
    affected,
    durationMs,
    nextSize: checkpoint.sizer.size,
  });
  return summary;
}

/** A crash between the last commit and its mirror leaves DynamoDB a batch behind: catch it up. */
export async function catchUpCheckpoint(ctx: Context, outcome: Done): Promise<void> {
  const checkpoint = caughtUp(ctx.checkpoint, outcome, ctx.deps.now().toISOString());
  if (checkpoint) await ctx.deps.store.saveCheckpoint(ctx.spec.id, ctx.lease, checkpoint);
}
