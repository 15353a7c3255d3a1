import { z } from 'zod';
import type { DecideTransition, JobStatus, RunOutcome } from '../control/types';

/** The EventBridge event "Step Functions Execution Status Change" (only the fields used). */
export const executionEventSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().min(1),
    status: z.string(),
    /** The execution's input, as a JSON string. */
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

export type ExecutionEndDetail = z.infer<typeof executionEventSchema>['detail'];

const ENDINGS: Readonly<Record<string, { outcome: RunOutcome; status: JobStatus; why: string }>> = {
  // Stopped by a person: paused rather than failed, so the next start resumes; abort it to keep it stopped.
  ABORTED: { outcome: 'aborted', status: 'paused', why: 'the execution was stopped in Step Functions' },
  FAILED: { outcome: 'failed', status: 'failed', why: 'the execution failed before it could clean up' },
  TIMED_OUT: { outcome: 'failed', status: 'failed', why: 'the execution timed out' },
};

/**
 * An execution ended without running its own clean-up (stopped in the console, timed out, or failed
 * outside a Catch): release the lease it left behind instead of waiting for it to expire, and
 * record the outcome (aborted when an abort request stands). Nothing when the execution ended
 * cleanly or no longer holds the lease. Undefined for an ending that needs no clean-up (SUCCEEDED).
 */
export function releaseLeftBehind(detail: ExecutionEndDetail): DecideTransition | undefined {
  const ending = ENDINGS[detail.status];
  if (!ending) return undefined;
  const failure = detail.error ? ` (${detail.error}${detail.cause ? `: ${detail.cause}` : ''})` : '';
  const reason = `${ending.why}${failure}`.slice(0, 1000);
  const owner = detail.executionArn;
  return (job) =>
    job?.lease?.owner !== owner
      ? undefined
      : {
          lease: { kind: 'release-of', owner },
          status: { to: job.abortRequest ? 'aborted' : ending.status, reason, onlyIfAllowed: true },
          endRun: { executionId: owner, outcome: ending.outcome, reason },
        };
}
