import { EXIT, type ExitCode } from '../errors';
import type { RunOutcome } from '../run/run-outcome';

/** How a fleet run ended, judged from its members' outcomes. */
export type FleetOutcomeName = 'completed' | 'failed' | 'aborted' | 'paused' | 'incomplete';

export interface FleetOutcome {
  readonly outcome: FleetOutcomeName;
  readonly reason?: string;
  readonly code: ExitCode;
  readonly failed: number;
  readonly failedPercentage: number;
}

/** The fleet's failure tolerance when the config names none: any failed member fails the fleet. */
export const DEFAULT_TOLERATED_FAILURE_PERCENTAGE = 0;

/**
 * The fleet's verdict, as a Map with ToleratedFailurePercentage gives it: failed when more than
 * that share of members failed (the others ran to their own ends all the same); otherwise
 * completed when every member not tolerated as failed completed, else aborted, paused or
 * incomplete (a member blocked, out of its window, held by another run or stopped), naming them.
 */
export function fleetOutcome(
  members: readonly { readonly member: string; readonly outcome: RunOutcome }[],
  toleratedFailurePercentage: number,
): FleetOutcome {
  const failedMembers = members.filter((m) => m.outcome.outcome === 'failed').map((m) => m.member);
  const failed = failedMembers.length;
  const failedPercentage = members.length === 0 ? 0 : (failed * 100) / members.length;
  const base = { failed, failedPercentage };
  if (failed > 0 && failedPercentage > toleratedFailurePercentage) {
    return {
      ...base,
      outcome: 'failed',
      code: EXIT.failure,
      reason: `${failed} of ${members.length} members failed (${failedMembers.join(', ')}), more than the ${toleratedFailurePercentage}% tolerated`,
    };
  }
  const named = (name: string) => members.filter((m) => m.outcome.outcome === name).map((m) => m.member);
  for (const name of ['aborted', 'paused'] as const) {
    const which = named(name);
    if (which.length > 0)
      return { ...base, outcome: name, code: EXIT.stopped, reason: `${name}: ${which.join(', ')}` };
  }
  const unfinished = members.filter((m) => !['completed', 'dry-run', 'failed'].includes(m.outcome.outcome));
  if (unfinished.length > 0) {
    return {
      ...base,
      outcome: 'incomplete',
      code: EXIT.stopped,
      reason: unfinished.map((m) => `${m.member} ${m.outcome.outcome}`).join(', '),
    };
  }
  const tolerated = failed > 0 ? `; ${failed} failed member(s) tolerated: ${failedMembers.join(', ')}` : '';
  return {
    ...base,
    outcome: 'completed',
    code: EXIT.ok,
    ...(tolerated ? { reason: tolerated.slice(2) } : {}),
  };
}
