import type { Checkpoint, JobState, Lease } from '../control/types';
import { type BatchOutcome, nextSizer } from '../engine';
import type { JobSpec } from '../job/types';
import type { BatchSummary } from '../run/state';
import type { HandlerDeps } from './deps';
import { batchMetrics } from './job-metrics';

type Applied = Extract<BatchOutcome, { status: 'applied' }>;
type Done = Extract<BatchOutcome, { status: 'done' }>;

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
 * After a batch committed: mirror the checkpoint to DynamoDB under our token (the ledger stays the
 * truth), adapt the batch size to the batch's duration, and keep history, metrics and a log line.
 */
export async function recordAppliedBatch(ctx: Context, outcome: Applied): Promise<BatchSummary> {
  const { deps, spec, checkpoint } = ctx;
  const at = deps.now().toISOString();
  const { batchNo, firstKey, lastKey, selected, affected, durationMs, rowsDone } = outcome;
  const sizer = nextSizer(spec.batch, checkpoint.sizer, { rows: selected, durationMs });
  const rowsScanned = checkpoint.rowsScanned + selected;
  // Two items, independent of each other; the history tells of a batch that committed either way.
  await Promise.all([
    deps.store.saveCheckpoint(spec.id, ctx.lease, { lastKey, batchNo, rowsDone, rowsScanned, sizer, at }),
    deps.store.appendBatch(spec.id, {
      batchNo,
      firstKey,
      lastKey,
      selected,
      affected,
      durationMs,
      retries: ctx.retries,
      batchSize: checkpoint.sizer.size,
      executionId: ctx.executionId,
      at,
      ...(ctx.replicaLagSeconds === undefined ? {} : { replicaLagSeconds: ctx.replicaLagSeconds }),
    }),
  ]);
  const estimate = ctx.job.estimatedRows;
  const remainingRows = estimate === undefined ? undefined : estimate - rowsDone;
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
    nextSize: sizer.size,
  });
  return { batchNo, firstKey, lastKey, selected, affected, durationMs };
}

/** A crash between the last commit and its mirror leaves DynamoDB a batch behind: catch it up. */
export async function catchUpCheckpoint(ctx: Context, outcome: Done): Promise<void> {
  if (ctx.checkpoint.batchNo >= outcome.batchNo) return;
  const { batchNo, lastKey, rowsDone } = outcome;
  const at = ctx.deps.now().toISOString();
  await ctx.deps.store.saveCheckpoint(ctx.spec.id, ctx.lease, {
    ...ctx.checkpoint,
    batchNo,
    lastKey,
    rowsDone,
    at,
  });
}
