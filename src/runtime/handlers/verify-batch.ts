import type { RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { resolveWork } from '../runnable/resolve-work';
import { loopStepSchema, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * Re-reads what the last step committed (for a job: its ledger row under our token, the job's
 * invariant over its key range and the DynamoDB checkpoint's mirror of it), then paces the loop.
 */
export async function verifyBatch(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const step = parsePayload(loopStepSchema, payload, 'VerifyBatch payload');
  const run = withReportedRetries(step.run, step.retryCount);
  const lease = requireLease(run, 'VerifyBatch');
  const work = resolveWork(deps, run);
  return { ...run, ...(await work.verify({ deps, run, lease, retryCount: step.retryCount })) };
}
