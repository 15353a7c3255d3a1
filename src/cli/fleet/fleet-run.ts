import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { redactUrl } from '../../db/target';
import type { RuleSettings } from '../../ddl/rule-settings';
import type { AlarmReader, FlagReader } from '../../health/types';
import { memberSpec } from '../../job/fleet-member';
import type { JobSpec } from '../../job/types';
import type { ExecutionInput } from '../../run/state';
import { type NestedExecutionResult, runFleetDefinition } from '../../runtime/fleet/fleet-machine';
import { createLocalRuntime } from '../../runtime/local/runtime';
import type { LocalRunChain, LocalRuntime, RuntimeEvent } from '../../runtime/local/types';
import type { LocalControl } from '../control/local-control';
import { EXIT } from '../errors';
import { type RunOutcome, runOutcome } from '../run/run-outcome';
import type { ConnectionGroup } from './connection-groups';
import { type FleetOutcome, fleetOutcome } from './fleet-outcome';

/** Something that happened to one member, for the terminal (or a test) to follow. */
export type FleetMemberEvent =
  | { readonly type: 'started'; readonly member: string }
  | { readonly type: 'batch'; readonly member: string; readonly batchNo: number; readonly rowsDone: number }
  | { readonly type: 'waiting'; readonly member: string; readonly reason: string }
  | { readonly type: 'ended'; readonly member: string; readonly outcome: RunOutcome };

export interface FleetRunOptions {
  readonly spec: JobSpec;
  readonly group: ConnectionGroup;
  readonly control: LocalControl;
  /** Members running at once. Default 1. */
  readonly concurrency?: number;
  /** The share of members that may fail with the fleet still judged by the rest. Default 0. */
  readonly toleratedFailurePercentage?: number;
  /** As for a single run (src/cli/run/local-run.ts). Default 1000. */
  readonly msPerSecond?: number;
  readonly flags?: FlagReader;
  /** CloudWatch alarms, locally: default none in alarm. */
  readonly alarms?: AlarmReader;
  readonly ddlRules?: RuleSettings;
  readonly onMember?: (event: FleetMemberEvent) => void;
  /** Called once the runtime is up: a way to stop it at once (a second Ctrl-C), and its handler deps. */
  readonly onStarted?: (runtime: LocalRuntime) => void;
}

export interface FleetMemberReport {
  readonly member: string;
  readonly runId: string;
  readonly engine: string;
  readonly where: string;
  readonly outcome: RunOutcome;
  /** The member's total as its ledger records it, all its runs included. */
  readonly rowsDone?: number;
  readonly executions: readonly string[];
}

export interface FleetRunReport {
  readonly jobId: string;
  readonly group: string;
  readonly concurrency: number;
  readonly toleratedFailurePercentage: number;
  readonly fleet: FleetOutcome;
  readonly members: readonly FleetMemberReport[];
  readonly durationMs: number;
}

/**
 * Runs a job on every member of its connection group through one local runtime and the deployed
 * fleet definition (statemachines/fleet-job.asl.json, src/runtime/fleet/fleet-machine.ts): each member is a
 * run of its own (`<job>_<member>`: its lease, lock, ledger, checkpoint and history), at most
 * `concurrency` at once, a member's failure stopping none of the others. The roster goes to the
 * control state first (the fleet definition's first step), so `status`, `pause`, `resume` and `abort` of the job reach every member.
 */
export async function runFleetLocally(options: FleetRunOptions): Promise<FleetRunReport> {
  const { spec, group, control } = options;
  const concurrency = options.concurrency ?? 1;
  const tolerance = options.toleratedFailurePercentage ?? 0;
  const members = group.members.map((m) => ({ ...m, spec: memberSpec(spec, m) }));
  const byRunId = new Map(members.map((m) => [m.spec.id, m.name]));
  const roster = members.map((m) => ({
    name: m.name,
    runId: m.spec.id,
    engine: m.engine,
    where: redactUrl(m.url),
  }));

  const onEvent = (event: RuntimeEvent) => {
    if (!options.onMember) return;
    if (event.type === 'batch-applied') {
      const member = byRunId.get(event.jobId);
      if (member)
        options.onMember({ type: 'batch', member, batchNo: event.batch.batchNo, rowsDone: event.rowsDone });
    } else if (event.type === 'health' && event.decision === 'wait') {
      const member = byRunId.get(event.jobId);
      if (member) options.onMember({ type: 'waiting', member, reason: event.reasons.join('; ') });
    }
  };
  const started = performance.now();
  const runtime = await createLocalRuntime({
    jobs: members.map((m) => m.spec),
    databases: Object.fromEntries(members.map((m) => [m.spec.id, m.url])),
    dynamo: { endpoint: control.endpoint },
    tableName: control.tableName,
    leaseHolders: control.leaseHolders,
    msPerSecond: options.msPerSecond ?? 1000,
    ...(options.flags ? { flags: options.flags } : {}),
    ...(options.alarms ? { alarms: options.alarms } : {}),
    ...(options.ddlRules ? { ddlRulesFor: () => options.ddlRules } : {}),
    onEvent,
  });
  const ended = new Map<string, { outcome: RunOutcome; rowsDone?: number; executions: string[] }>();
  const runMember = async (input: ExecutionInput): Promise<NestedExecutionResult> => {
    const name = byRunId.get(input.jobId) ?? input.jobId;
    options.onMember?.({ type: 'started', member: name });
    let chain: LocalRunChain | undefined;
    let outcome: RunOutcome;
    try {
      chain = await runtime.run(input);
      outcome = runOutcome(chain);
    } catch (error) {
      outcome = { outcome: 'failed', reason: (error as Error).message, code: EXIT.failure };
    }
    const rowsDone = typeof chain?.output?.rowsDone === 'number' ? chain.output.rowsDone : undefined;
    ended.set(name, { outcome, rowsDone, executions: chain?.executions.map((e) => e.executionName) ?? [] });
    options.onMember?.({ type: 'ended', member: name, outcome });
    return {
      Status: chain?.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
      ExecutionArn: chain?.executionArn ?? '',
      Output: chain?.output ?? {},
    };
  };
  let machine: Awaited<ReturnType<typeof runFleetDefinition>>;
  try {
    options.onStarted?.(runtime);
    // The deployed fleet definition, its nested executions run by this runtime.
    machine = await runFleetDefinition({
      input: {
        jobId: spec.id,
        group: group.name,
        roster,
        members: members.map((m) => ({ member: m.name, runId: m.spec.id })),
        maxConcurrency: concurrency,
        toleratedFailurePercentage: tolerance,
        window: {},
      },
      runMember,
      // The roster step's PutItem, as deployed, against the local control table.
      controlTableName: control.tableName,
      putItem: async (request) => {
        await control.clients.client.send(new PutItemCommand(request));
      },
    });
  } finally {
    await runtime.close();
  }
  if (machine.status !== 'SUCCEEDED') throw new Error(`the fleet state machine failed: ${machine.error}`);
  const reports: FleetMemberReport[] = members.map((m) => {
    const done = ended.get(m.name);
    return {
      member: m.name,
      runId: m.spec.id,
      engine: m.engine,
      where: redactUrl(m.url),
      outcome: done?.outcome ?? {
        outcome: 'failed',
        reason: 'the fleet never ran this member',
        code: EXIT.failure,
      },
      rowsDone: done?.rowsDone,
      executions: done?.executions ?? [],
    };
  });
  return {
    jobId: spec.id,
    group: group.name,
    concurrency,
    toleratedFailurePercentage: tolerance,
    fleet: fleetOutcome(reports, tolerance),
    members: reports,
    durationMs: performance.now() - started,
  };
}
