import { verifyCommittedBatch } from '../../engine';
import type { RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { VerificationFailedError } from '../errors';
import { verifyRecipeStep } from '../recipe-steps';
import { resolveRunJob } from '../run-job';
import { loopStepSchema, pacingSeconds, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * Re-reads what the last batch committed: its ledger row under our token and the job's invariant
 * over its key range (a trigger or a concurrent writer may have undone it), and that the DynamoDB
 * checkpoint mirrors it. Then paces the loop.
 */
export async function verifyBatch(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const step = parsePayload(loopStepSchema, payload, 'VerifyBatch payload');
  const run = withReportedRetries(step.run, step.retryCount);
  const lease = requireLease(run, 'VerifyBatch');
  if (run.recipeStep !== undefined) return verifyRecipeStep(run, resolveRunJob(deps, run), deps);
  if (!run.batch) throw new VerificationFailedError('VerifyBatch ran without a batch in its payload');
  const { batchNo, firstKey, lastKey } = run.batch;
  const spec = resolveRunJob(deps, run);
  const db = await deps.connections.open(spec.database);
  const verdict = await verifyCommittedBatch({ spec, db, batchNo, lease });
  if (!verdict.ok) {
    throw new VerificationFailedError(
      `batch ${batchNo} (keys ${firstKey}..${lastKey}) failed verification: ${verdict.reason}`,
    );
  }
  const checkpoint = (await deps.store.getJob(spec.id))?.checkpoint;
  if (!checkpoint || checkpoint.batchNo < batchNo) {
    throw new VerificationFailedError(
      `the DynamoDB checkpoint is at batch ${checkpoint?.batchNo ?? 'none'} but batch ${batchNo} committed; ` +
        'the ledger in the database is right: resume the job to mirror it again',
    );
  }
  return { ...run, decision: 'verified', waitSeconds: pacingSeconds(spec) };
}
