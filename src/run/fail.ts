import { z } from 'zod';
import type { Lease, Transition } from '../control/types';
import { siblingExecutionArn } from './naming';
import { leaseSchema } from './state';

/** Loose on purpose: a failure can come from any state, with whatever payload that state had. */
export const failurePayloadSchema = z.looseObject({
  jobId: z.string().optional(),
  execution: z.object({ id: z.string() }).optional(),
  lease: leaseSchema.optional(),
  successor: z.object({ name: z.string(), started: z.unknown().optional() }).optional(),
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

export type FailurePayload = z.infer<typeof failurePayloadSchema>;

export interface FailInput {
  readonly reason: string;
  readonly lease: Pick<Lease, 'owner' | 'token'>;
  readonly executionId: string;
  /** The ARN of a successor that never started: it still holds the lease handed to it. */
  readonly unstartedSuccessor?: string;
}

/**
 * Any uncaught error: give up our lease (or the one handed to a successor that never started) and
 * mark the job failed with the reason, unless another owner holds the job now (a stale execution
 * must not overwrite a live one's status) or the status cannot fail from where it is.
 */
export function fail({ reason, lease, executionId, unstartedSuccessor }: FailInput): Transition {
  return {
    lease: { kind: 'release', lease, ...(unstartedSuccessor ? { orOwner: unstartedSuccessor } : {}) },
    status: { to: 'failed', reason, onlyIfAllowed: true, unlessLeasedToOtherThan: executionId },
    endRun: { executionId, outcome: 'failed', reason },
  };
}

/**
 * The failure of the run a failure payload tells of, or undefined when it names no job, lease or
 * execution (it failed before it held anything, so there is nothing to give up).
 */
export function failRun(
  { jobId, lease, execution, successor }: FailurePayload,
  reason: string,
): { readonly jobId: string; readonly transition: Transition } | undefined {
  if (!jobId || !lease || !execution) return undefined;
  const unstartedSuccessor =
    successor && !successor.started ? siblingExecutionArn(execution.id, successor.name) : undefined;
  return { jobId, transition: fail({ reason, lease, executionId: execution.id, unstartedSuccessor }) };
}
