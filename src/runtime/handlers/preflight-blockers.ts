import type { JobState } from '../../control/types';
import type { JobSpec } from '../../job/types';
import type { ExecutionInput } from '../run-state';

/**
 * Reasons in the control state (not the database) that a run must not start, each saying what the
 * operator should do. Read-only, like the rest of preflight.
 */
export function controlBlockers(spec: JobSpec, job: JobState | undefined, input: ExecutionInput): string[] {
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
  if (input.rollback) {
    reasons.push(
      'rollback: this state machine does not run rollbacks yet; restore from the audit table with the CLI',
    );
  }
  return reasons;
}
