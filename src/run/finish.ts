import type { JobState, Lease, Transition } from '../control/types';

export interface FinishInput {
  /** The job as read after the last batch: an abort request that arrived during it wins. */
  readonly job: JobState;
  readonly lease: Pick<Lease, 'owner' | 'token'>;
  readonly executionId: string;
  /** Rows and batches, for the status reason and the run record. */
  readonly summary: string;
}

/** Nothing is left: the job ends completed (or aborted, with every row applied), lease given up. */
export function finish({ job, lease, executionId, summary }: FinishInput): {
  readonly outcome: 'completed' | 'aborted';
  readonly transition: Transition;
} {
  const outcome = job.abortRequest === undefined ? 'completed' : 'aborted';
  const reason =
    outcome === 'aborted'
      ? `abort requested as the last batch finished; all ${summary} applied`
      : `completed: ${summary}`;
  return {
    outcome,
    transition: {
      status: { to: outcome, reason },
      lease: { kind: 'release', lease },
      endRun: { executionId, outcome, reason: summary },
    },
  };
}
