import type { RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { resolveWork } from '../runnable/resolve-work';
import { loopStepSchema, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * One step of the run's work: for a job exactly one batch, in one transaction, at the persisted
 * adaptive size (src/runtime/runnable/job-work.ts). Contention becomes the errors the state machine
 * retries; a committed batch is mirrored to DynamoDB with its history and metrics.
 */
export async function applyBatch(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const step = parsePayload(loopStepSchema, payload, 'ApplyBatch payload');
  const run = withReportedRetries(step.run, step.retryCount);
  const lease = requireLease(run, 'ApplyBatch');
  const work = resolveWork(deps, run);
  return { ...run, ...(await work.step({ deps, run, lease, retryCount: step.retryCount })) };
}
