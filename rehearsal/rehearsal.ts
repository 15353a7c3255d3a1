import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainIam } from './aws/iam';
import { type LocalAws, startLocalAws } from './aws/local-aws';
import type { AlarmAnswer } from './aws/services';
import { EventBus } from './event-bus';
import { lambdaResourcePolicy, mayEventBridgeDeliver, mayServiceAssumeRole } from './events/permissions';
import { fireSchedule, nextFireTime } from './events/scheduler';
import { alarmStateChangeEvent, executionStatusChangeEvent } from './events/shapes';
import { type FunctionDefinition, FunctionHost, type InvokeOutcome } from './lambda/function-host';
import { type ExecutionRecord, RehearsalStateMachines } from './states/state-machines';
import { type DeployedSchedule, type Deployment, readDeployment } from './template/deployment';

export interface RehearsalOptions {
  /** The synthesized cloud assembly. */
  readonly cdkOut: string;
  readonly region: string;
  readonly accountId: string;
  /** Secrets the account holds: ARN -> SecretString. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Alarms the account has besides the template's (the jobs' own alarms), all starting OK. */
  readonly alarms?: readonly string[];
  /** AppConfig feature-flag documents deployed at the start, by `<application>/<environment>/<profile>`. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** FreeStorageSpace of RDS instances, in bytes, by DBInstanceIdentifier. */
  readonly freeStorage?: Readonly<Record<string, number>>;
  /** PEM the runtime trusts in place of the RDS certificate bundle (the databases' front doors). */
  readonly trustedCertificatePem?: string;
  /** Milliseconds per ASL second for Wait states and retry back-offs. Default 20. */
  readonly msPerSecond?: number;
  /** Every line the functions write, prefixed with the function's logical id. */
  readonly log?: (line: string) => void;
}

export interface Invocation {
  readonly functionLogicalId: string;
  readonly outcome: InvokeOutcome;
}

/** A notification EventBridge delivered to an SNS topic: the target's transformed input. */
export interface TopicDelivery {
  readonly topicArn: string;
  readonly ruleName: string;
  readonly message: string;
}

/**
 * The synthesized app, deployed into one process: every function a FunctionHost on a copy of its
 * asset outside the repository, every AWS call through the local endpoint under its role's
 * policies, the state machine from its synthesized definition, the rules on a local event bus and
 * the schedules fired on demand.
 */
export class Rehearsal {
  readonly invocations: Invocation[] = [];
  private readonly invocationListeners = new Set<(invocation: Invocation) => void>();
  readonly topicDeliveries: TopicDelivery[] = [];

  private constructor(
    readonly deployment: Deployment,
    readonly aws: LocalAws,
    readonly stateMachines: RehearsalStateMachines,
    readonly bus: EventBus,
    private readonly hosts: ReadonlyMap<string, FunctionHost>,
    /** What the local CloudWatch's DescribeAlarms answers. */
    private readonly alarms: Map<string, AlarmAnswer>,
    private readonly cleanup: () => void,
    /** What the local AppConfig Data answers, per profile. */
    private readonly flagDocuments: Map<string, { document: unknown; version: number }> = new Map(),
    /** What the local CloudWatch's GetMetricData answers for FreeStorageSpace. */
    private readonly freeBytes: Map<string, number> = new Map(),
  ) {}

  static async deploy(options: RehearsalOptions): Promise<Rehearsal> {
    const deployment = readDeployment(options.cdkOut, {
      region: options.region,
      accountId: options.accountId,
    });
    const scratch = mkdtempSync(join(tmpdir(), 'lowtide-rehearsal-'));
    const alarmStates = new Map<string, AlarmAnswer>();
    for (const name of [...deployment.alarmNames, ...(options.alarms ?? [])]) {
      alarmStates.set(name, { AlarmName: name, StateValue: 'OK', StateReason: 'rehearsal: initial state' });
    }
    const flagDocuments = new Map(
      Object.entries(options.flags ?? {}).map(([key, document]) => [key, { document, version: 1 }]),
    );
    const freeBytes = new Map(Object.entries(options.freeStorage ?? {}));
    // Forward references: the state machines invoke hosts, the hosts' SDK calls reach the runner.
    const hosts = new Map<string, FunctionHost>();
    let rehearsal: Rehearsal | undefined;
    const authorize = (role: string, action: string, resource: string) =>
      explainIam(deployment.roles[role] ?? [], {
        action,
        resource,
        principal: `arn:aws:sts::${options.accountId}:assumed-role/${role}/rehearsal`,
        context: { 'aws:SecureTransport': 'true', 'aws:RequestedRegion': options.region },
      });
    const stateMachines = new RehearsalStateMachines({
      machines: deployment.stateMachines,
      msPerSecond: options.msPerSecond ?? 20,
      authorize,
      principalFor: (role) => `arn:aws:sts::${options.accountId}:assumed-role/${role}/rehearsal`,
      invoke: async (arn, payload) => {
        const host = hosts.get(arn);
        if (!host) {
          return {
            ok: false,
            errorType: 'Lambda.ResourceNotFoundException',
            errorMessage: `Function not found: ${arn}`,
          };
        }
        const outcome = await host.invoke(payload);
        rehearsal?.recordInvocation({ functionLogicalId: host.definition.logicalId, outcome });
        return outcome;
      },
      onEnd: (record) => rehearsal?.executionEnded(record),
    });
    const aws = await startLocalAws({
      region: options.region,
      accountId: options.accountId,
      roles: deployment.roles,
      tables: deployment.tables,
      secrets: options.secrets,
      stepFunctions: stateMachines,
      alarms: {
        describe: (names) =>
          (names.length === 0 ? [...alarmStates.keys()] : names).flatMap((name) => {
            const alarm = alarmStates.get(name);
            return alarm ? [alarm] : [];
          }),
      },
      topics: deployment.topics,
      flags: { current: (key) => flagDocuments.get(key) },
      freeStorage: { freeBytes: (instanceId) => freeBytes.get(instanceId) },
    });

    // What the Lambda runtime puts at /var/runtime/ca-cert.pem (the RDS certificate authorities),
    // the rehearsal's runtime provides with the certificate its database front doors present.
    const caFile = join(scratch, 'ca-cert.pem');
    writeFileSync(caFile, options.trustedCertificatePem ?? '');
    for (const fn of deployment.functions) {
      // A copy outside the repository: the function can reach nothing but its own asset.
      const assetDir = join(scratch, 'task', fn.logicalId);
      cpSync(fn.assetPath, assetDir, { recursive: true });
      const environment = Object.fromEntries(
        Object.entries(fn.environment).map(([name, value]) => [
          name,
          name === 'NODE_EXTRA_CA_CERTS' && value === '/var/runtime/ca-cert.pem' ? caFile : value,
        ]),
      );
      const definition: FunctionDefinition = {
        logicalId: fn.logicalId,
        functionName: fn.functionName,
        arn: fn.arn,
        assetDir,
        handler: fn.handler,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        environment,
        roleLogicalId: fn.roleLogicalId,
        logGroupName: fn.logGroupName,
      };
      const host = new FunctionHost(
        definition,
        {
          region: options.region,
          accountId: options.accountId,
          endpointUrl: aws.endpointUrl,
          credentials: aws.credentialsFor(fn.roleLogicalId),
        },
        { log: (line) => options.log?.(`[${fn.logicalId}] ${line}`) },
      );
      hosts.set(fn.arn, host);
    }

    const bus = new EventBus(deployment.rules, async (targetArn, input, _roleArn, context) => {
      const rule = context.rule;
      if (targetArn.startsWith('arn:aws:lambda:')) {
        // EventBridge may invoke the function only if its resource policy (its permissions) lets this rule.
        const permissions = deployment.lambdaPermissions.map((p) => ({
          Action: 'lambda:InvokeFunction',
          FunctionName: p.functionArn,
          Principal: p.principal,
          ...(p.sourceArn ? { SourceArn: p.sourceArn } : {}),
        }));
        const decision = await mayEventBridgeDeliver({
          targetArn,
          ruleArn: rule.arn,
          resourcePolicy: lambdaResourcePolicy(permissions, targetArn),
        });
        if (!decision.allowed)
          throw new Error(`rule ${rule.name} may not invoke ${targetArn}: ${decision.reason}`);
        const host = hosts.get(targetArn);
        if (!host) throw new Error(`rule ${rule.name} targets ${targetArn}, which is not deployed`);
        const outcome = await host.invoke(input.json ? input.value : input.text);
        rehearsal?.recordInvocation({ functionLogicalId: host.definition.logicalId, outcome });
        if (!outcome.ok) {
          throw new Error(
            `${host.definition.logicalId} failed: ${outcome.errorType}: ${outcome.errorMessage}`,
          );
        }
        return;
      }
      if (targetArn.startsWith('arn:aws:sns:')) {
        const topic = deployment.topics[targetArn];
        if (!topic) throw new Error(`rule ${rule.name} targets topic ${targetArn}, which is not deployed`);
        // The topic policy, and the key policy of the topic's KMS key, must let EventBridge publish.
        const decision = await mayEventBridgeDeliver({
          targetArn,
          ruleArn: rule.arn,
          resourcePolicy: topic.resourcePolicy,
          kmsKey: topic.kmsKey,
        });
        if (!decision.allowed)
          throw new Error(`EventBridge may not publish to ${targetArn}: ${decision.reason}`);
        rehearsal?.topicDeliveries.push({ topicArn: targetArn, ruleName: rule.name, message: input.text });
        return;
      }
      throw new Error(`rule ${rule.name} has a target the rehearsal does not deliver to: ${targetArn}`);
    });

    rehearsal = new Rehearsal(
      deployment,
      aws,
      stateMachines,
      bus,
      hosts,
      alarmStates,
      () => rmSync(scratch, { recursive: true, force: true }),
      flagDocuments,
      freeBytes,
    );
    return rehearsal;
  }

  /** The deployed state machine (the template has one). */
  get stateMachineArn(): string {
    const [machine] = this.deployment.stateMachines;
    if (!machine) throw new Error('the template has no state machine');
    return machine.arn;
  }

  host(logicalIdPrefix: string): FunctionHost {
    const found = [...this.hosts.values()].find((h) => h.definition.logicalId.includes(logicalIdPrefix));
    if (!found) throw new Error(`no function whose logical id contains ${logicalIdPrefix}`);
    return found;
  }

  schedule(name: string): DeployedSchedule {
    const found = this.deployment.schedules.find((s) => s.name === name);
    if (!found) {
      const known = this.deployment.schedules.map((s) => s.name).join(', ');
      throw new Error(`no schedule ${name} (known: ${known})`);
    }
    return found;
  }

  /**
   * Fires a schedule for its latest scheduled time as EventBridge Scheduler does: the target's
   * Input with the context attributes filled in (`<aws.scheduler.scheduled-time>`),
   * StartExecution under the schedule's role, whose policy must allow it.
   */
  async fireSchedule(name: string, now = new Date()): Promise<ExecutionRecord> {
    const schedule = this.schedule(name);
    const scheduledTime = latestFireTime(schedule, now);
    let executionArn: string | undefined;
    const firing = await fireSchedule(schedule.resource, scheduledTime, async (targetArn, input, roleArn) => {
      const role = schedule.target.roleLogicalId;
      // Scheduler assumes the role for the schedule's group ("Setting up the execution role").
      const assume = await mayServiceAssumeRole({
        roleArn,
        trustPolicy: this.deployment.trustPolicies[role] ?? { Statement: [] },
        service: 'scheduler.amazonaws.com',
        sourceArn: this.scheduleGroupArn(schedule.group),
        sourceAccount: this.deployment.env.accountId,
      });
      if (!assume.allowed) {
        throw Object.assign(new Error(`Scheduler may not assume ${roleArn}: ${assume.reason}`), {
          retryable: false,
        });
      }
      const decision = await explainIam(this.deployment.roles[role] ?? [], {
        action: 'states:StartExecution',
        resource: targetArn,
        principal: `arn:aws:sts::${this.deployment.env.accountId}:assumed-role/${role}/rehearsal`,
      });
      if (!decision.allowed) {
        throw Object.assign(
          new Error(`schedule ${name}'s role may not start ${targetArn}: ${decision.reason}`),
          {
            retryable: false,
          },
        );
      }
      ({ executionArn } = await this.stateMachines.startExecution({ stateMachineArn: targetArn, input }));
    });
    if (!firing.ok || !executionArn) {
      throw new Error(
        `schedule ${name} did not start an execution: ${firing.attempts.at(-1)?.error ?? 'no attempt'}`,
      );
    }
    return this.stateMachines.record(executionArn);
  }

  private scheduleGroupArn(group: string): string {
    const { region, accountId } = this.deployment.env;
    return `arn:aws:scheduler:${region}:${accountId}:schedule-group/${group}`;
  }

  /** StartExecution as an operator does it (the console or the CLI). */
  async start(input: unknown, name?: string): Promise<ExecutionRecord> {
    const { executionArn } = await this.stateMachines.startExecution({
      stateMachineArn: this.stateMachineArn,
      input: JSON.stringify(input),
      ...(name ? { name } : {}),
    });
    return this.stateMachines.record(executionArn);
  }

  /** The console's "Stop execution": resolves once the status-change event was delivered. */
  async stop(executionArn: string): Promise<ExecutionRecord> {
    await this.stateMachines.stopExecution({ executionArn });
    await this.ended(executionArn);
    return this.stateMachines.record(executionArn);
  }

  /**
   * Resolves when the execution has ended and its status-change event has been delivered to
   * every rule's targets.
   */
  async ended(executionArn: string): Promise<ExecutionRecord> {
    const record = await this.stateMachines.finished(executionArn);
    await this.bus.settled();
    return record;
  }

  /** Follows continue-as-new successors to the last execution of a run. */
  async runEnded(executionArn: string): Promise<ExecutionRecord[]> {
    const chain: ExecutionRecord[] = [];
    let arn: string | undefined = executionArn;
    while (arn) {
      const record = await this.ended(arn);
      chain.push(record);
      const output = record.output
        ? (JSON.parse(record.output) as { successor?: { started?: { executionArn?: string } } })
        : {};
      arn =
        record.status === 'SUCCEEDED' && record.lastState === 'Continued'
          ? output.successor?.started?.executionArn
          : undefined;
    }
    return chain;
  }

  /**
   * Sets an alarm's state as CloudWatch would: DescribeAlarms answers the new state, and the
   * "CloudWatch Alarm State Change" event goes to the bus. Resolves once its targets ran.
   */
  async setAlarm(name: string, state: 'OK' | 'ALARM'): Promise<void> {
    const previous = this.alarms.get(name);
    if (!previous) throw new Error(`no alarm ${name} in the rehearsal's account`);
    if (previous.StateValue === state) return;
    this.alarms.set(name, { AlarmName: name, StateValue: state, StateReason: `rehearsal: set to ${state}` });
    await this.bus.put(
      alarmStateChangeEvent({
        alarmName: name,
        region: this.deployment.env.region,
        account: this.deployment.env.accountId,
        state,
        previousState: previous.StateValue as 'OK' | 'ALARM',
      }),
    );
  }

  /**
   * Deploys a new version of a profile's feature-flag document, as an AppConfig deployment would:
   * the next GetLatestConfiguration of every session answers it (a warm function sees it once its
   * poll interval is over).
   */
  deployFlags(profileKey: string, document: unknown): void {
    const previous = this.flagDocuments.get(profileKey);
    this.flagDocuments.set(profileKey, { document, version: (previous?.version ?? 0) + 1 });
  }

  /** Sets what FreeStorageSpace reads for an RDS instance. */
  setFreeStorage(instanceId: string, bytes: number): void {
    this.freeBytes.set(instanceId, bytes);
  }

  /**
   * Resolves with the first invocation from now on that the predicate accepts (a function's
   * logical id contains `functionName`): the scenarios act on what the functions did, not on time.
   */
  nextInvocation(
    functionName: string,
    accept: (result: Record<string, unknown>) => boolean = () => true,
  ): Promise<Invocation> {
    return new Promise((resolve) => {
      const listener = (invocation: Invocation) => {
        if (!invocation.functionLogicalId.includes(functionName) || !invocation.outcome.ok) return;
        if (!accept((invocation.outcome.result ?? {}) as Record<string, unknown>)) return;
        this.invocationListeners.delete(listener);
        resolve(invocation);
      };
      this.invocationListeners.add(listener);
    });
  }

  async close(): Promise<void> {
    await this.stateMachines.close();
    await this.bus.settled();
    await Promise.all([...this.hosts.values()].map((h) => h.close()));
    await this.aws.close();
    this.cleanup();
  }

  private recordInvocation(invocation: Invocation): void {
    this.invocations.push(invocation);
    for (const listener of [...this.invocationListeners]) listener(invocation);
  }

  private executionEnded(record: ExecutionRecord): void {
    // "EventBridge (CloudWatch Events) for Step Functions execution status changes".
    void this.bus.put(
      executionStatusChangeEvent({
        executionArn: record.executionArn,
        status: record.status,
        input: record.input,
        ...(record.output !== undefined ? { output: record.output } : {}),
        ...(record.error !== undefined ? { error: record.error } : {}),
        ...(record.cause !== undefined ? { cause: record.cause } : {}),
        startDate: record.startDate,
        time: record.stopDate ?? new Date(),
      }),
    );
  }
}

/** The last time at or before `now` the schedule fires (it must fire within the past day). */
function latestFireTime(schedule: DeployedSchedule, now: Date): Date {
  let latest: Date | undefined;
  let next = nextFireTime(schedule.resource, new Date(now.getTime() - 86_400_000));
  while (next && next.getTime() <= now.getTime()) {
    latest = next;
    next = nextFireTime(schedule.resource, next);
  }
  if (!latest)
    throw new Error(`schedule ${schedule.name} (${schedule.expression}) did not fire in the past day`);
  return latest;
}
