import type { FleetRoster } from '../../control/fleet-roster';
import type { ControlStore, JobState, Progress } from '../../control/types';
import { count, duration } from '../format/units';

/** A member as `status` sums it up: its run's state folded into the buckets an operator counts. */
export type MemberPhase = 'done' | 'running' | 'paused' | 'failed' | 'aborted' | 'not-started';

export interface FleetMemberStatus {
  readonly member: string;
  readonly runId: string;
  readonly where: string;
  readonly phase: MemberPhase;
  readonly status?: JobState['status'];
  readonly statusReason?: string;
  readonly pausedBy: readonly string[];
  readonly progress?: Progress;
}

export interface FleetStatus {
  readonly jobId: string;
  readonly group: string;
  readonly counts: Readonly<Record<MemberPhase, number>>;
  readonly rowsDone: number;
  /** The longest ETA of the members still to finish that have one: when the fleet is done at the earliest. */
  readonly etaSeconds?: number;
  readonly members: readonly FleetMemberStatus[];
}

function phaseOf(job: JobState | undefined, leaseLive: boolean): MemberPhase {
  if (!job) return 'not-started';
  switch (job.status) {
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    case 'aborted':
    case 'aborting':
      return job.status === 'aborting' && leaseLive ? 'running' : 'aborted';
    case 'paused':
      return 'paused';
    case 'running':
    case 'pausing':
      return leaseLive ? 'running' : 'paused';
    default:
      return job.pauseRequests.length > 0 ? 'paused' : 'not-started';
  }
}

/** Reads every member's run as `status` shows it (locally settling runs whose process died). */
export async function readFleetStatus(
  store: ControlStore,
  roster: FleetRoster,
  local: boolean,
): Promise<FleetStatus> {
  const members = await Promise.all(
    roster.members.map(async (m): Promise<FleetMemberStatus> => {
      const job = local ? await store.settleOrphaned(m.runId) : await store.getJob(m.runId);
      const progress = job ? await store.progress(m.runId) : undefined;
      const leaseLive = job?.lease ? store.leaseIsLive(job) : false;
      return {
        member: m.name,
        runId: m.runId,
        where: m.where,
        phase: phaseOf(job, leaseLive),
        ...(job ? { status: job.status } : {}),
        ...(job?.statusReason ? { statusReason: job.statusReason } : {}),
        pausedBy: job?.pauseRequests.map((p) => p.reason) ?? [],
        ...(progress ? { progress } : {}),
      };
    }),
  );
  const counts: Record<MemberPhase, number> = {
    done: 0,
    running: 0,
    paused: 0,
    failed: 0,
    aborted: 0,
    'not-started': 0,
  };
  for (const m of members) counts[m.phase]++;
  const etas = members
    .filter((m) => m.phase !== 'done' && m.progress?.etaSeconds !== undefined)
    .map((m) => m.progress!.etaSeconds!);
  return {
    jobId: roster.jobId,
    group: roster.group,
    counts,
    rowsDone: members.reduce((sum, m) => sum + (m.progress?.rowsDone ?? 0), 0),
    ...(etas.length > 0 ? { etaSeconds: Math.max(...etas) } : {}),
    members,
  };
}

export function formatFleetStatus(status: FleetStatus, where: string): string {
  const { counts } = status;
  const summary = (Object.keys(counts) as MemberPhase[])
    .filter((p) => counts[p] > 0)
    .map((p) => `${counts[p]} ${p}`)
    .join(', ');
  const eta = status.etaSeconds === undefined ? '' : `, ETA ${duration(status.etaSeconds * 1000)}`;
  const lines = [
    `fleet ${status.jobId} ("${status.group}", ${status.members.length} members) (${where})`,
    `  members     ${summary}`,
    `  progress    ${count(status.rowsDone)} rows done${eta}`,
  ];
  for (const m of status.members) {
    const p = m.progress;
    const rows = p
      ? `${count(p.rowsDone)} rows${p.estimatedRows === undefined ? '' : ` of about ${count(p.estimatedRows)}`}`
      : '';
    const memberEta =
      p?.etaSeconds !== undefined && m.phase !== 'done' ? `, ETA ${duration(p.etaSeconds * 1000)}` : '';
    const why =
      m.pausedBy.length > 0
        ? ` (paused by ${m.pausedBy.join(', ')})`
        : m.statusReason
          ? ` (${m.statusReason})`
          : '';
    lines.push(`  ${m.member.padEnd(20)} ${m.phase.padEnd(11)} ${rows}${memberEta}${why}`);
  }
  lines.push('  one member in full: lowtide status <job> --member NAME');
  return lines.join('\n');
}
