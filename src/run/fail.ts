import type { Lease, Transition } from '../control/types';

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
