import { z } from 'zod';
import { canTransition } from '../../control/status';
import type { JobState } from '../../control/types';
import { leaseSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { causeText } from '../error-cause';
import { siblingExecutionArn } from '../run-naming';
import { parsePayload } from './common';

/** Loose on purpose: a failure can come from any state, with whatever payload that state had. */
const payloadSchema = z.looseObject({
  jobId: z.string().optional(),
  execution: z.object({ id: z.string() }).optional(),
  lease: leaseSchema.optional(),
  successor: z.object({ name: z.string(), started: z.unknown().optional() }).optional(),
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

export interface FailureRecord {
  /** For the Fail state: the error name and the reason, in the execution's output. */
  readonly error: string;
  readonly cause: string;
}

function someoneElseHolds(job: JobState | undefined, owner: string | undefined, nowMs: number): boolean {
  return !!job?.lease && job.lease.owner !== owner && job.lease.expiresAt > nowMs;
}

/**
 * Any uncaught error: give up our lease and mark the job failed with the reason, unless another
 * owner holds the job now (a stale execution must not overwrite a live one's status).
 */
export async function recordFailure(payload: unknown, deps: HandlerDeps): Promise<FailureRecord> {
  const state = parsePayload(payloadSchema, payload, 'RecordFailure payload');
  const error = state.error?.Error ?? 'UnknownError';
  const cause = causeText(state.error?.Cause).slice(0, 30_000);
  const reason = `${error}: ${cause}`;
  deps.logger.error('run failed', { jobId: state.jobId, error, cause });
  if (!state.jobId || !state.lease || !state.execution) return { error, cause };

  const { store } = deps;
  const { jobId, lease, execution } = state;
  await store.releaseLease(jobId, lease);
  // A continuation that never started still holds the lease handed to it.
  if (state.successor && !state.successor.started) {
    await store.releaseLeaseOf(jobId, siblingExecutionArn(execution.id, state.successor.name));
  }
  const job = await store.getJob(jobId);
  if (
    job &&
    !someoneElseHolds(job, execution.id, deps.now().getTime()) &&
    canTransition(job.status, 'failed')
  ) {
    await store.setStatus(jobId, 'failed', reason);
  }
  await store.endRun(jobId, execution.id, 'failed', reason);
  return { error, cause };
}
