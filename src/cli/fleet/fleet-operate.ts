import { JobNotFoundError } from '../../control/errors';
import type { FleetRoster } from '../../control/fleet-roster';
import type { JobState } from '../../control/types';
import { BadInputError } from '../errors';
import { type CommandResult, result } from '../output';

export interface FleetActionOptions {
  readonly action: string;
  /** The member runs' current states, to refuse a resume up front rather than half-way. */
  readonly read: (runId: string) => Promise<JobState | undefined>;
  /** resume: whether aborted members may be re-armed. */
  readonly clearAbort: boolean;
  readonly act: (runId: string) => Promise<{ state: JobState; done: string }>;
  readonly where: string;
}

/**
 * A request to a fleet job is the same request to every member's run, each in its own conditional
 * write (there is no fleet-wide item for a run to read: each member's health gate reads its own).
 * A resume that would have to clear an abort without --clear-abort is refused before any member
 * is touched; a member that never ran has nothing to resume and is said so.
 */
export async function operateFleet(fleet: FleetRoster, options: FleetActionOptions): Promise<CommandResult> {
  if (options.action === 'resume' && !options.clearAbort) {
    const aborted: string[] = [];
    for (const m of fleet.members) {
      const state = await options.read(m.runId);
      if (state && (state.abortRequest || state.status === 'aborted')) aborted.push(m.name);
    }
    if (aborted.length > 0) {
      throw new BadInputError(
        `fleet ${fleet.jobId}: member(s) ${aborted.join(', ')} were aborted: pass --clear-abort to let them run again (nothing was changed)`,
      );
    }
  }
  const members: { member: string; runId: string; done: string; status?: string }[] = [];
  for (const m of fleet.members) {
    try {
      const { state, done } = await options.act(m.runId);
      members.push({ member: m.name, runId: m.runId, done, status: state.status });
    } catch (error) {
      if (!(error instanceof JobNotFoundError)) throw error;
      members.push({ member: m.name, runId: m.runId, done: 'never ran: nothing to do' });
    }
  }
  const text = [
    `fleet ${fleet.jobId} ("${fleet.group}", ${fleet.members.length} members): ${options.action} sent to every member`,
    ...members.map((m) => `  ${m.member.padEnd(20)} ${m.status ? `${m.status.padEnd(10)} ` : ''}${m.done}`),
  ].join('\n');
  return result(
    { ok: true, action: options.action, jobId: fleet.jobId, fleet: true, where: options.where, members },
    text,
  );
}
