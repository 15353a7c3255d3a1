import type { FleetRoster } from '../../control/fleet-roster';
import { MEMBER_NAME, memberRunId } from '../../job/job-id';
import type { ControlTarget } from '../control/control-target';
import { BadInputError } from '../errors';

/**
 * The run id `--member NAME` of a job means: the member's as the job's fleet roster lists it.
 * A job without a roster has never run as a fleet there, which is said plainly.
 */
export async function memberRunIdOf(target: ControlTarget, jobId: string, member: string): Promise<string> {
  if (!MEMBER_NAME.test(member)) {
    throw new BadInputError(
      `--member '${member}' is not a member name: lowercase letters, digits and -, at most 32 characters`,
    );
  }
  const roster = await target.roster.get(jobId);
  if (!roster) {
    throw new BadInputError(
      `job '${jobId}' has no fleet in the ${target.where}: --member is for a job that ran on a connection group`,
    );
  }
  const found = roster.members.find((m) => m.name === member);
  if (!found) {
    throw new BadInputError(
      `job '${jobId}' has no member '${member}': its members are ${roster.members.map((m) => m.name).join(', ')}`,
    );
  }
  return found.runId ?? memberRunId(jobId, member);
}

/** The job's fleet roster when it ran as a fleet there, for the commands that act on every member. */
export function fleetRosterOf(target: ControlTarget, jobId: string): Promise<FleetRoster | undefined> {
  return target.roster.get(jobId);
}
