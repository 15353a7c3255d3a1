import { z } from 'zod';
import { canTransition } from '../../control/status';
import type { JobStatus, RunOutcome } from '../../control/types';
import type { HandlerDeps } from '../deps';
import { runJobId } from '../work/work-ref';
import { parsePayload } from './common';

/** The EventBridge event "Step Functions Execution Status Change" (only the fields used). */
const executionEventSchema = z.object({
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

const ENDINGS: Readonly<Record<string, { outcome: RunOutcome; status: JobStatus; why: string }>> = {
  // Stopped by a person: paused rather than failed, so the next start resumes; abort it to keep it stopped.
  ABORTED: { outcome: 'aborted', status: 'paused', why: 'the execution was stopped in Step Functions' },
  FAILED: { outcome: 'failed', status: 'failed', why: 'the execution failed before it could clean up' },
  TIMED_OUT: { outcome: 'failed', status: 'failed', why: 'the execution timed out' },
};

export interface ExecutionEndHandled {
  readonly executionArn: string;
  readonly jobId?: string;
  readonly released: boolean;
}

/**
 * An execution ended without running its own clean-up (stopped in the console, timed out, or failed
 * outside a Catch): release its lease now instead of waiting for it to expire, and record the
 * outcome. A batch Lambda still running finishes or rolls back on its own; the ledger's fencing
 * token refuses it if a new owner has started meanwhile.
 */
export async function onExecutionEnd(event: unknown, deps: HandlerDeps): Promise<ExecutionEndHandled> {
  const { detail } = parsePayload(executionEventSchema, event, 'Step Functions execution event');
  const ending = ENDINGS[detail.status];
  const jobId = jobIdOf(detail.input);
  if (!ending || !jobId) return { executionArn: detail.executionArn, jobId, released: false };
  const released = await deps.store.releaseLeaseOf(jobId, detail.executionArn);
  if (released) {
    const job = await deps.store.getJob(jobId);
    const status: JobStatus = job?.abortRequest ? 'aborted' : ending.status;
    const reason = `${ending.why}${detail.error ? ` (${detail.error}${detail.cause ? `: ${detail.cause}` : ''})` : ''}`;
    if (job && canTransition(job.status, status))
      await deps.store.setStatus(jobId, status, reason.slice(0, 1000));
    await deps.store.endRun(jobId, detail.executionArn, ending.outcome, reason.slice(0, 1000));
  }
  deps.logger.info('execution ended', {
    jobId,
    executionArn: detail.executionArn,
    status: detail.status,
    released,
  });
  return { executionArn: detail.executionArn, jobId, released };
}

/** The control-state id the execution ran under (a rollback's own, for `rollback: true`). */
function jobIdOf(input: string | null | undefined): string | undefined {
  try {
    const parsed = JSON.parse(input ?? '') as { jobId?: unknown; rollback?: unknown };
    if (typeof parsed.jobId !== 'string') return undefined;
    return runJobId({ jobId: parsed.jobId, rollback: parsed.rollback === true });
  } catch {
    return undefined;
  }
}
