import type { RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { resolveWork } from '../runnable/resolve-work';
import { loopStepSchema, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * One step of the run's work: for a job a sequence of short transactions, each one batch with its
 * own ledger row, until batch.invocationBudgetMs or a stop condition (src/runtime/runnable/
 * invocation.ts). Contention on the first becomes the errors the state machine retries; what the
 * step committed is mirrored to DynamoDB once, with one history record and its metrics.
 */
export async function applyBatch(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const step = parsePayload(loopStepSchema, payload, 'ApplyBatch payload');
  const run = withReportedRetries(step.run, step.retryCount);
  const lease = requireLease(run, 'ApplyBatch');
  const work = resolveWork(deps, run);
  return { ...run, ...(await work.step({ deps, run, lease, retryCount: step.retryCount })) };
}
