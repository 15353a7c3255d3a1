import type { Checkpoint } from '../../control/types';
import { type Database, DbError } from '../../db/types';
import { displayKey, nextSizer, runBatch, verifyCommittedBatch } from '../../engine';
import { impactWatcher } from '../../engine/foreground-impact';
import type { JobSpec } from '../../job/types';
import { type AppliedBatch, advanceCheckpoint } from '../../run/after-batch';
import { catchUpCheckpoint, recordInvocation } from '../batch-bookkeeping';
import { translateBatchError } from '../batch-errors';
import { VerificationFailedError } from '../errors';
import { initialCheckpoint } from '../handlers/common';
import { runtimeMetricNames } from '../job-metrics';
import { betweenTransactions } from './between-transactions';
import type { StepContext, StepOutcome } from './work';

/** Contention a later transaction of a step meets: the step ends with what it committed. */
const CONTENTION: readonly string[] = ['lock-timeout', 'statement-timeout', 'deadlock'];

/**
 * One apply step (one ApplyBatch invocation): a sequence of short transactions, each a complete
 * batch of the engine's (advisory lock, fencing check, change, verification, its own ledger row,
 * commit) and each re-read once committed, until the invocation budget or a stop condition
 * (src/runtime/runnable/between-transactions.ts). The checkpoint mirror, the history record and
 * the metrics then run once for the whole step.
 *
 * Contention on the first transaction becomes the errors the state machine retries, as for a
 * single batch. On a later one the step ends with what it committed, the next size cut. Any other
 * failure after a commit records what committed before it is rethrown.
 */
export async function runInvocation(ctx: StepContext, spec: JobSpec, db: Database): Promise<StepOutcome> {
  const { deps, run, lease, retryCount } = ctx;
  const job = await deps.store.ensureJob(spec.id);
  const start = job.checkpoint ?? initialCheckpoint(spec, deps.now());
  const books = {
    deps,
    spec,
    job,
    lease,
    checkpoint: start,
    executionId: run.execution.id,
    retries: retryCount,
    replicaLagSeconds: run.replicaLagSeconds,
  };
  const impact = await impactWatcher(db);
  const startedAt = performance.now();
  const between = betweenTransactions({ deps, spec, run, lease, job, startedAt });
  const committed: AppliedBatch[] = [];
  let checkpoint: Checkpoint = start;
  const record = () =>
    recordInvocation(books, committed, checkpoint, Math.round(performance.now() - startedAt));

  for (;;) {
    let outcome: Awaited<ReturnType<typeof runBatch>>;
    try {
      outcome = await runBatch({ spec, db, lease, batchSize: checkpoint.sizer.size, impact });
    } catch (error) {
      if (committed.length === 0) {
        throw await translateBatchError(error, { deps, spec, lease, checkpoint, retryCount });
      }
      if (error instanceof DbError && CONTENTION.includes(error.kind)) {
        checkpoint = { ...checkpoint, sizer: nextSizer(spec.batch, checkpoint.sizer, { timedOut: true }) };
        deps.metrics.record(spec.id, [{ name: runtimeMetricNames.lockTimeouts, unit: 'Count', value: 1 }]);
        deps.logger.warn('a later transaction of the step hit contention', {
          jobId: spec.id,
          kind: error.kind,
        });
        break;
      }
      await record();
      throw await translateBatchError(error, { deps, spec, lease, checkpoint, retryCount });
    }
    if (outcome.status === 'held') {
      if (committed.length > 0) break;
      deps.logger.warn('another session is inside a batch of this job', { jobId: spec.id });
      return { decision: 'held', waitSeconds: deps.settings.backoffSeconds };
    }
    if (outcome.status === 'done') {
      if (committed.length > 0) break;
      await catchUpCheckpoint(books, outcome);
      return { decision: 'done', rowsDone: outcome.rowsDone };
    }
    committed.push(outcome);
    checkpoint = advanceCheckpoint(spec, checkpoint, outcome, deps.now().toISOString());
    await verifyTransaction(spec, db, lease, outcome, record);
    const stop = await between.next(outcome);
    if (stop) {
      deps.logger.info('apply step ends', { jobId: spec.id, transactions: committed.length, why: stop });
      break;
    }
  }
  const batch = await record();
  return { decision: 'applied', batch, rowsDone: checkpoint.rowsDone };
}

/**
 * Re-reads a transaction right after its commit: its ledger row under our token and the job's
 * invariant over its keys. A failure records what the step committed, then stops the run.
 */
async function verifyTransaction(
  spec: JobSpec,
  db: Database,
  lease: StepContext['lease'],
  outcome: AppliedBatch,
  record: () => Promise<unknown>,
): Promise<void> {
  const verdict = await verifyCommittedBatch({ spec, db, batchNo: outcome.batchNo, lease });
  if (verdict.ok) return;
  await record();
  throw new VerificationFailedError(
    `batch ${outcome.batchNo} (keys ${displayKey(outcome.firstKey)}..${displayKey(outcome.lastKey)}) failed verification: ${verdict.reason}`,
  );
}
