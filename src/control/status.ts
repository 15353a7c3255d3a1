import { IllegalTransitionError, type JobStatus } from './types';

export const JOB_STATUSES: readonly JobStatus[] = [
  'idle',
  'running',
  'pausing',
  'paused',
  'aborting',
  'aborted',
  'failed',
  'completed',
];

/**
 * The lifecycle, as data: for each status, the statuses it may move to. Moving to the status a job
 * already has is always allowed and changes nothing but the reason, because Lambda tasks run at
 * least once and a retried step must not fail on its own earlier write.
 *
 * Why each edge exists (who takes it):
 * - idle -> running: a run starts. -> paused: paused before it ever ran (operator, window).
 *   -> aborted: aborted before it ever ran; nothing to stop. -> failed: a run failed before it
 *   started its first batch.
 * - running -> pausing / aborting: a pause or abort was requested while an execution holds the
 *   lease; it is applied after the current batch. -> paused / aborted: the execution observed the
 *   request (or no live execution was there to observe it). -> completed, -> failed: the run ended.
 *   -> idle: the run stopped cleanly before the end (runtime budget, window) and the next start
 *   resumes from the checkpoint.
 * - pausing -> running: every pause request was cleared before the execution observed it.
 *   -> completed: the last batch finished while the pause was pending.
 * - paused -> running: resumed (the waiting execution, or a new run). A paused job cannot complete
 *   without running again.
 * - aborting -> aborted: the execution observed the abort. -> failed: it crashed on the way out.
 *   There is no way back to running: an abort is final for that run.
 * - aborted -> idle: only by clearing the abort request (an operator re-arming the job). A start
 *   from the scheduler must never revive an aborted job, so aborted -> running does not exist.
 * - failed -> running: a retry resumes from the checkpoint (the ledger wins). -> aborted: an operator
 *   gives up on a failed job so no schedule retries it.
 * - completed -> running: a recurring job (e.g. a nightly purge) runs again. -> failed: that new
 *   run failed before it could mark itself running.
 *
 * One rule sits outside the table because it depends on the item, not the status: a move to
 * running is refused while an abort request stands (see DynamoControlStore.setStatus).
 */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  idle: ['running', 'paused', 'aborted', 'failed'],
  running: ['pausing', 'paused', 'aborting', 'aborted', 'completed', 'failed', 'idle'],
  pausing: ['running', 'paused', 'aborting', 'aborted', 'completed', 'failed'],
  paused: ['running', 'aborting', 'aborted', 'failed'],
  aborting: ['aborted', 'failed'],
  aborted: ['idle'],
  failed: ['running', 'aborted'],
  completed: ['running', 'failed'],
};

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function assertTransition(jobId: string, from: JobStatus, to: JobStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(jobId, from, to, allowedHint(from));
}

/** The statuses from which `to` may be reached (itself included): the condition of a status write. */
export function allowedFrom(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}

function allowedHint(from: JobStatus): string {
  const next = TRANSITIONS[from];
  return next.length === 0 ? `${from} is final` : `from ${from} it may go to ${next.join(', ')}`;
}
