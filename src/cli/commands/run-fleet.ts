import { openDatabase } from '../../db/open-database';
import { redactUrl } from '../../db/target';
import type { RuleSettings } from '../../ddl/rule-settings';
import { memberRunId } from '../../job/job-id';
import type { JobSpec } from '../../job/types';
import type { CliContext } from '../context';
import { stateDirOf } from '../context';
import { openLocalControl } from '../control/local-control';
import { BadInputError, oneLine } from '../errors';
import { type ConnectionGroup, checkMemberRunIds } from '../fleet/connection-groups';
import { type FleetMemberEvent, type FleetRunReport, runFleetLocally } from '../fleet/fleet-run';
import { count, duration } from '../format/units';
import { localFlags } from '../local-flags';
import { operatorName } from '../operator';
import { type CommandResult, result } from '../output';

export interface FleetRunCommandOptions {
  readonly spec: JobSpec;
  readonly group: ConnectionGroup;
  readonly concurrency?: string;
  readonly msPerSecond?: number;
  readonly ddlRules?: RuleSettings;
}

/** `--concurrency N`, else the job's `fleet.maxConcurrency`. */
export function parseConcurrency(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new BadInputError(`--concurrency must be a whole number from 1 to 1000; got '${value}'`);
  }
  return n;
}

/** One round trip to every member first, so an unreachable one is bad input before any member starts. */
async function checkMembers(group: ConnectionGroup): Promise<void> {
  for (const m of group.members) {
    const db = openDatabase(m.url, { poolSize: 1 });
    try {
      await db.serverVersion();
    } catch (error) {
      throw new BadInputError(
        `cannot reach member '${m.name}' of "${group.name}" at ${redactUrl(m.url)}: ${oneLine((error as Error).message)}; check the URL and that the server is up`,
        { cause: error },
      );
    } finally {
      await db.close().catch(() => {});
    }
  }
}

function describeEvent(event: FleetMemberEvent): string | undefined {
  switch (event.type) {
    case 'started':
      return `member ${event.member}: started`;
    case 'batch':
      return `member ${event.member}: batch ${event.batchNo}, ${count(event.rowsDone)} rows done`;
    case 'waiting':
      return `member ${event.member}: waiting: ${event.reason}`;
    case 'ended':
      return `member ${event.member}: ${event.outcome.outcome}${event.outcome.reason ? ` — ${event.outcome.reason}` : ''}`;
  }
}

function formatReport(report: FleetRunReport): string {
  const { fleet } = report;
  const lines = [
    `fleet ${report.jobId} ("${report.group}", ${report.members.length} members, concurrency ${report.concurrency}): ${fleet.outcome}${fleet.reason ? ` — ${fleet.reason}` : ''}`,
    ...report.members.map(
      (m) =>
        `  ${m.member.padEnd(20)} ${m.outcome.outcome.padEnd(13)} ${m.rowsDone === undefined ? '' : `${count(m.rowsDone)} rows  `}${m.where}`,
    ),
    `took ${duration(report.durationMs)}`,
  ];
  if (fleet.outcome !== 'completed')
    lines.push(`resume with: lowtide resume ${report.jobId} (or --member NAME), then run it again`);
  return lines.join('\n');
}

/**
 * `lowtide run <job> --local` for a job whose `database` names a connection group: every member
 * runs (at most `--concurrency` at once), with one line on stderr per member event. Ctrl-C asks
 * every member to pause after its current batch; a second Ctrl-C stops at once.
 */
export async function runFleetCommand(
  ctx: CliContext,
  options: FleetRunCommandOptions,
): Promise<CommandResult> {
  const { spec, group } = options;
  checkMemberRunIds(spec.id, group);
  const concurrency = parseConcurrency(options.concurrency, spec.fleet.maxConcurrency);
  await checkMembers(group);
  const control = await openLocalControl(stateDirOf(ctx), { longLived: true });
  let interrupts = 0;
  let stopNow: (() => Promise<void>) | undefined;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      ctx.stderr.write('pausing every member after its current batch (Ctrl-C again to stop at once)\n');
      const by = operatorName(ctx.env);
      for (const m of group.members) {
        control.store
          .requestPause(memberRunId(spec.id, m.name), { reason: 'operator', by, message: 'Ctrl-C' })
          .catch(() => {});
      }
    } else {
      ctx.stderr.write('stopping now; the batches in flight commit or roll back on their own\n');
      void stopNow?.();
    }
  };
  process.on('SIGINT', onSignal);
  let report: FleetRunReport;
  try {
    report = await runFleetLocally({
      spec,
      group,
      control,
      concurrency,
      toleratedFailurePercentage: spec.fleet.toleratedFailurePercentage,
      msPerSecond: options.msPerSecond,
      flags: localFlags(ctx),
      ...(options.ddlRules ? { ddlRules: options.ddlRules } : {}),
      onMember: (event) => {
        const line = describeEvent(event);
        if (line) ctx.stderr.write(`${line}\n`);
      },
      onStarted: (runtime) => {
        stopNow = () => runtime.close();
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    await control.close((clients) =>
      ctx.stderr.write(
        `waiting for ${clients} other lowtide process(es) using the local control state to finish\n`,
      ),
    );
  }
  const json = {
    ok: report.fleet.code === 0,
    jobId: spec.id,
    fleet: true,
    group: report.group,
    outcome: report.fleet.outcome,
    reason: report.fleet.reason,
    exitCode: report.fleet.code,
    concurrency: report.concurrency,
    toleratedFailurePercentage: report.toleratedFailurePercentage,
    failed: report.fleet.failed,
    durationMs: report.durationMs,
    members: report.members.map((m) => ({
      member: m.member,
      runId: m.runId,
      engine: m.engine,
      where: m.where,
      outcome: m.outcome.outcome,
      reason: m.outcome.reason,
      rowsDone: m.rowsDone,
      executions: m.executions,
    })),
  };
  return result(json, formatReport(report), report.fleet.code);
}
