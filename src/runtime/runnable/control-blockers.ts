import type { JobState } from '../../control/types';
import type { JobSpec } from '../../job/types';
import type { ExecutionInput } from '../../run/state';
import type { CounterpartState } from './work';

/**
 * Reasons in the control state (not the database) that a run must not start, each saying what the
 * operator should do. Read-only, like the rest of preflight. A job and its rollback take different
 * advisory locks, so a live lease on the other one (its counterpart) keeps them from running together.
 */
export function controlBlockers(
  spec: JobSpec,
  job: JobState | undefined,
  input: ExecutionInput,
  /** The job that must not run alongside this one: a rollback's original, or an audited job's rollback. */
  counterpart?: CounterpartState,
  now: Date = new Date(),
): string[] {
  const reasons: string[] = [];
  if (spec.requiresApproval && !job?.approval) {
    reasons.push(
      `approval: awaiting approval; job '${spec.id}' has requiresApproval, so record an approval (lowtide approve ${spec.id}) and start it again`,
    );
  }
  if (job?.abortRequest || job?.status === 'aborted' || job?.status === 'aborting') {
    const by = job.abortRequest ? ` by ${job.abortRequest.by}` : '';
    reasons.push(
      `aborted: job '${spec.id}' was aborted${by}; a start never revives an aborted job: clear the abort request first if it should run again`,
    );
  }
  if (input.force && !input.rollback) {
    reasons.push(
      `force: only a rollback can be forced; to roll job '${spec.id}' back pass { "jobId": "${spec.id}", "rollback": true, "force": true }`,
    );
  }
  const busy = liveLeaseOwner(counterpart?.job, now);
  if (counterpart && busy) reasons.push(counterpart.running(busy));
  return reasons;
}

function liveLeaseOwner(job: JobState | undefined, now: Date): string | undefined {
  const lease = job?.lease;
  if (!lease || lease.expiresAt <= now.getTime()) return undefined;
  return `execution ${lease.owner} holds its lease until ${new Date(lease.expiresAt).toISOString()}`;
}
