import { type BatchOutcome, runBatch } from '../../engine';
import { ensureLedger } from '../../engine/ledger-once';
import type { RunState } from '../../run/state';
import { catchUpCheckpoint, recordAppliedBatch } from '../batch-bookkeeping';
import { translateBatchError } from '../batch-errors';
import type { HandlerDeps } from '../deps';
import { backfillEnded, recipeStep } from '../recipe-steps';
import { resolveRunJob } from '../run-job';
import { initialCheckpoint, loopStepSchema, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * Exactly one batch, in one transaction (the engine's runBatch), at the persisted adaptive size.
 * Contention becomes the errors the state machine retries; a committed batch is mirrored to
 * DynamoDB with its history and metrics.
 */
export async function applyBatch(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const { run, retryCount } = parsePayload(loopStepSchema, payload, 'ApplyBatch payload');
  return applyOneBatch(withReportedRetries(run, retryCount), retryCount, deps);
}

async function applyOneBatch(start: RunState, retryCount: number, deps: HandlerDeps): Promise<RunState> {
  let run = start;
  const lease = requireLease(run, 'ApplyBatch');
  const spec = resolveRunJob(deps, run);
  const db = await deps.connections.open(spec.database);
  await ensureLedger(db, spec);
  if (run.recipe) {
    const step = await recipeStep({ run, spec, db, lease, retryCount }, deps);
    if ('next' in step) return step.next;
    run = step.batch;
  }
  const job = await deps.store.ensureJob(spec.id);
  const checkpoint = job.checkpoint ?? initialCheckpoint(spec, deps.now());
  const ctx = {
    deps,
    spec,
    job,
    lease,
    checkpoint,
    executionId: run.execution.id,
    retries: retryCount,
    replicaLagSeconds: run.replicaLagSeconds,
  };

  let outcome: BatchOutcome;
  try {
    outcome = await runBatch({ spec, db, lease, batchSize: checkpoint.sizer.size });
  } catch (error) {
    throw await translateBatchError(error, { deps, spec, lease, checkpoint, retryCount });
  }
  switch (outcome.status) {
    case 'held':
      deps.logger.warn('another session is inside a batch of this job', { jobId: spec.id });
      return { ...run, decision: 'held', waitSeconds: deps.settings.backoffSeconds };
    case 'done':
      await catchUpCheckpoint(ctx, outcome);
      if (run.recipe) return backfillEnded(run, outcome.rowsDone);
      return { ...run, decision: 'done', rowsDone: outcome.rowsDone };
    case 'applied': {
      const batch = await recordAppliedBatch(ctx, outcome);
      return { ...run, decision: 'applied', batch, rowsDone: outcome.rowsDone };
    }
  }
}
