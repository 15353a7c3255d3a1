import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleConfig from '../../lowtide.config';
import { explainIam } from '../../rehearsal/aws/iam';
import { type Delivery, type EventRule, LocalEventBus, rulesFromTemplate } from '../../rehearsal/events/bus';
import {
  lambdaPermissionsFromTemplate,
  lambdaResourcePolicy,
  mayEventBridgeDeliver,
  mayServiceAssumeRole,
} from '../../rehearsal/events/permissions';
import {
  fireSchedule,
  nextFireTime,
  type ScheduleResource,
  schedulesFromTemplate,
} from '../../rehearsal/events/scheduler';
import { alarmStateChangeEvent, executionStatusChangeEvent } from '../../rehearsal/events/shapes';
import type { TargetInput } from '../../rehearsal/events/targets';
import { type CfnTemplate, resourceById, type Synthesized, synthesize } from '../infra/support/synth';

const region = 'eu-west-1';
const account = '123456789012';

/**
 * Just enough of CloudFormation to name things: Ref and Fn::GetAtt [x, Arn] give an ARN built from
 * the logical id (the rehearse track owns the full resolver), Fn::Join joins, pseudo parameters.
 */
function fakeResolver(template: CfnTemplate): (value: unknown) => unknown {
  const arnOf = (id: string): string => {
    const resource = template.Resources[id];
    if (!resource) throw new Error(`no resource ${id}`);
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${id}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${id}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${id}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${id}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${account}:rule/${id}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${id}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${id}`;
      case 'AWS::Scheduler::ScheduleGroup':
        return `arn:aws:scheduler:${region}:${account}:schedule-group/${p.Name ?? id}`;
      case 'AWS::Scheduler::Schedule':
        return `arn:aws:scheduler:${region}:${account}:schedule/${p.GroupName ?? 'default'}/${p.Name ?? id}`;
      default:
        throw new Error(`no fake ARN for ${resource.Type} ${id}`);
    }
  };
  const pseudo: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref') return pseudo[arg as string] ?? arnOf(arg as string);
      if (key === 'Fn::GetAtt') return arnOf((arg as string[])[0]!);
      if (key === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return parts.map(resolve).join(sep);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

let synth: Synthesized;
let rules: EventRule[];
let schedules: ScheduleResource[];
let resolve: (value: unknown) => unknown;
const idOf = (pattern: RegExp) => resourceById(synth.template, pattern)[0];
const arn = (pattern: RegExp) => resolve({ 'Fn::GetAtt': [idOf(pattern), 'Arn'] }) as string;

beforeAll(() => {
  synth = synthesize(exampleConfig, { bundle: false });
  resolve = fakeResolver(synth.template);
  rules = rulesFromTemplate(synth.template, resolve);
  schedules = schedulesFromTemplate(synth.template, resolve);
});
afterAll(() => synth?.cleanup());

type PolicyDoc = { Version?: string; Statement: unknown[] };

/** The resource policies EventBridge meets at a target, from the template. */
function resourcePolicyOf(arn: string): {
  resourcePolicy?: PolicyDoc;
  kmsKey?: { arn: string; policy: PolicyDoc };
} {
  const policyTypes = ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::Topic', 'AWS::KMS::Key'];
  const resources = Object.entries(synth.template.Resources)
    .filter(([, r]) => policyTypes.includes(r.Type))
    .map(([id, r]) => ({
      id,
      r,
      // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped; the test reads the shape it expects
      p: resolve(r.Properties) as Record<string, any>,
    }));
  if (arn.startsWith('arn:aws:lambda:')) {
    return {
      resourcePolicy: lambdaResourcePolicy(lambdaPermissionsFromTemplate(synth.template, resolve), arn),
    };
  }
  const attached = resources.find(
    ({ r, p }) =>
      (r.Type === 'AWS::SNS::TopicPolicy' && p.Topics.includes(arn)) ||
      (r.Type === 'AWS::SQS::QueuePolicy' && p.Queues.includes(arn)),
  );
  const topic = resources.find(({ id, r }) => r.Type === 'AWS::SNS::Topic' && resolve({ Ref: id }) === arn);
  const keyArn = topic?.p.KmsMasterKeyId as string | undefined;
  const key = keyArn
    ? resources.find(
        ({ id, r }) => r.Type === 'AWS::KMS::Key' && resolve({ 'Fn::GetAtt': [id, 'Arn'] }) === keyArn,
      )
    : undefined;
  return {
    resourcePolicy: attached?.p.PolicyDocument,
    ...(keyArn && key ? { kmsKey: { arn: keyArn, policy: key.p.KeyPolicy } } : {}),
  };
}

/** A bus whose deliveries EventBridge must be allowed to make, to the target and to its DLQ. */
function busRecording() {
  const received: Array<{ arn: string; input: TargetInput; rule: string }> = [];
  const bus = new LocalEventBus(rules, async (targetArn, input, _role, context) => {
    for (const to of [targetArn, context.deadLetterArn].filter((x): x is string => x !== undefined)) {
      const decision = await mayEventBridgeDeliver({
        targetArn: to,
        ruleArn: context.rule.arn,
        ...resourcePolicyOf(to),
      });
      if (!decision.allowed) throw new Error(`EventBridge may not deliver to ${to}: ${decision.reason}`);
    }
    received.push({ arn: targetArn, input, rule: context.rule.logicalId });
  });
  return { bus, received };
}

const deliveredTo = (deliveries: readonly Delivery[]) =>
  deliveries.map((d) => [d.ruleLogicalId.replace(/[0-9A-F]{8}$/, ''), d.targetArn]);

describe("our template's rules", () => {
  it('loads the four rules with their patterns and targets', () => {
    expect(rules.map((r) => r.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'LowtideControlEventsAlarmStateChange',
      'LowtideControlEventsExecutionEnd',
      'LowtideNotificationsAbnormalEnd',
      'LowtideNotificationsCleanEnd',
    ]);
  });

  it('an ALARM for a configured alarm reaches on-alarm with the event as its payload', async () => {
    const { bus, received } = busRecording();
    const event = alarmStateChangeEvent({ alarmName: 'orders-db-cpu-high', region, account, state: 'ALARM' });
    const deliveries = await bus.put(event);
    expect(deliveredTo(deliveries)).toEqual([
      ['LowtideControlEventsAlarmStateChange', arn(/^LowtideFunctionsOnAlarmFunction[0-9A-F]{8}$/)],
    ]);
    expect(deliveries[0]?.deadLetterArn).toBe(arn(/^LowtideDeadLetterQueue[0-9A-F]{8}$/));
    // What on-alarm reads: detail-type, detail.alarmName, detail.state.value, resources[0].
    expect(received[0]?.input.value).toEqual(event);
    expect(received[0]?.input.value).toMatchObject({
      'detail-type': 'CloudWatch Alarm State Change',
      detail: { alarmName: 'orders-db-cpu-high', state: { value: 'ALARM' } },
      resources: [`arn:aws:cloudwatch:${region}:${account}:alarm:orders-db-cpu-high`],
    });
  });

  it('the replica-lag alarms are watched too, back to OK as well; other alarms are not', async () => {
    const { bus } = busRecording();
    for (const alarmName of ['lowtide-primary-replica-lag', 'lowtide-sessions-replica-lag']) {
      const ok = await bus.put(alarmStateChangeEvent({ alarmName, region, account, state: 'OK' }));
      expect(deliveredTo(ok)).toEqual([
        ['LowtideControlEventsAlarmStateChange', arn(/^LowtideFunctionsOnAlarmFunction[0-9A-F]{8}$/)],
      ]);
    }
    expect(
      await bus.put(
        alarmStateChangeEvent({ alarmName: 'someone-elses-alarm', region, account, state: 'ALARM' }),
      ),
    ).toEqual([]);
  });

  const machineArn = () => arn(/^LowtideStateMachine[0-9A-F]{8}$/);
  const executionOf = (name: string) => `${machineArn().replace(':stateMachine:', ':execution:')}:${name}`;
  const input = {
    jobId: 'backfill-account-tier',
    window: { scheduledAt: '2026-03-03T00:00:00Z', durationMinutes: 300 },
  };

  it.each(['ABORTED', 'FAILED', 'TIMED_OUT'] as const)(
    '%s reaches on-execution-end with the event, and the topic with the documented fields',
    async (status) => {
      const { bus, received } = busRecording();
      const event = executionStatusChangeEvent({
        executionArn: executionOf('run-1'),
        status,
        input,
        ...(status === 'FAILED' ? { error: 'States.TaskFailed', cause: 'boom' } : {}),
      });
      const deliveries = await bus.put(event);
      expect(deliveredTo(deliveries).sort()).toEqual([
        ['LowtideControlEventsExecutionEnd', arn(/^LowtideFunctionsOnExecutionEndFunction[0-9A-F]{8}$/)],
        ['LowtideNotificationsAbnormalEnd', resolve({ Ref: idOf(/^LowtideNotificationsTopic[0-9A-F]{8}$/) })],
      ]);
      expect(deliveries.every((d) => d.ok)).toBe(true);
      const toFunction = received.find((r) => r.rule.startsWith('LowtideControlEventsExecutionEnd'))!;
      // What on-execution-end reads: detail.executionArn, detail.status, detail.input (a JSON string).
      expect(toFunction.input.value).toEqual(event);
      const toTopic = received.find((r) => r.rule.startsWith('LowtideNotificationsAbnormalEnd'))!;
      expect(toTopic.input.value).toEqual({
        summary: `lowtide run run-1 ended ${status}`,
        status,
        execution: executionOf('run-1'),
        input: JSON.stringify(input),
        output: null,
        region,
      });
    },
  );

  it.each(['completed', 'paused', 'aborted'])(
    'SUCCEEDED with decision %s reaches the topic only',
    async (decision) => {
      const { bus, received } = busRecording();
      const output = { ...input, decision, rowsDone: 120 };
      const deliveries = await bus.put(
        executionStatusChangeEvent({
          executionArn: executionOf('run-2'),
          status: 'SUCCEEDED',
          input,
          output,
        }),
      );
      expect(deliveredTo(deliveries)).toEqual([
        ['LowtideNotificationsCleanEnd', resolve({ Ref: idOf(/^LowtideNotificationsTopic[0-9A-F]{8}$/) })],
      ]);
      expect(received[0]?.input.value).toEqual({
        summary: 'lowtide run run-2 ended SUCCEEDED',
        status: 'SUCCEEDED',
        execution: executionOf('run-2'),
        input: JSON.stringify(input),
        output: JSON.stringify(output),
        region,
      });
    },
  );

  it.each(['blocked', 'lease-held', 'window-closed', 'continued', 'dry-run'])(
    'SUCCEEDED with decision %s stays quiet',
    async (decision) => {
      const { bus } = busRecording();
      const event = executionStatusChangeEvent({
        executionArn: executionOf('run-3'),
        status: 'SUCCEEDED',
        input,
        output: { ...input, decision },
      });
      expect(await bus.put(event)).toEqual([]);
    },
  );

  it('EventBridge may invoke a function only for the rule its permission names', async () => {
    const onAlarm = arn(/^LowtideFunctionsOnAlarmFunction[0-9A-F]{8}$/);
    const allowedRule = arn(/^LowtideControlEventsAlarmStateChange[0-9A-F]{8}$/);
    const otherRule = arn(/^LowtideControlEventsExecutionEnd[0-9A-F]{8}$/);
    const policy = resourcePolicyOf(onAlarm);
    expect(
      (await mayEventBridgeDeliver({ targetArn: onAlarm, ruleArn: allowedRule, ...policy })).allowed,
    ).toBe(true);
    expect(await mayEventBridgeDeliver({ targetArn: onAlarm, ruleArn: otherRule, ...policy })).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/no resource policy allows it/),
    });
  });

  it('publishing to the encrypted topic needs the key policy to let EventBridge use the key', async () => {
    const topic = resolve({ Ref: idOf(/^LowtideNotificationsTopic[0-9A-F]{8}$/) }) as string;
    const rule = arn(/^LowtideNotificationsCleanEnd[0-9A-F]{8}$/);
    const { resourcePolicy, kmsKey } = resourcePolicyOf(topic);
    expect(kmsKey).toBeDefined();
    expect(
      (await mayEventBridgeDeliver({ targetArn: topic, ruleArn: rule, resourcePolicy, kmsKey })).allowed,
    ).toBe(true);
    const withoutEventBridge = {
      ...kmsKey!,
      policy: {
        ...kmsKey!.policy,
        Statement: kmsKey!.policy.Statement.filter(
          (st) => !JSON.stringify(st).includes('events.amazonaws.com'),
        ),
      },
    };
    expect(
      await mayEventBridgeDeliver({
        targetArn: topic,
        ruleArn: rule,
        resourcePolicy,
        kmsKey: withoutEventBridge,
      }),
    ).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^kms:GenerateDataKey/),
    });
  });

  it("another state machine's executions reach nothing", async () => {
    const { bus } = busRecording();
    const other = `arn:aws:states:${region}:${account}:execution:someone-else:run-4`;
    expect(
      await bus.put(executionStatusChangeEvent({ executionArn: other, status: 'ABORTED', input })),
    ).toEqual([]);
  });
});

describe("our template's schedules", () => {
  it('start the state machine as the scheduler role with the scheduled time filled in', async () => {
    const backfill = schedules.find((s) => s.Name === 'backfill-account-tier')!;
    // 01:00 Berlin, in winter 00:00 UTC.
    const scheduledTime = nextFireTime(backfill, new Date('2026-03-02T12:00:00Z'))!;
    expect(scheduledTime.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    const calls: Array<[string, string, string]> = [];
    const firing = await fireSchedule(backfill, scheduledTime, async (target, text, role) => {
      calls.push([target, text, role]);
    });
    expect(firing.ok).toBe(true);
    expect(firing.scheduleArn).toBe(
      `arn:aws:scheduler:${region}:${account}:schedule/lowtide/backfill-account-tier`,
    );
    const [target, text, role] = calls[0]!;
    expect(target).toBe(machineArnOf());
    expect(role).toBe(arn(/^SchedulerRoleForTarget[0-9a-f]{6}[0-9A-F]{8}$/));
    expect(JSON.parse(text)).toEqual({
      jobId: 'backfill-account-tier',
      window: { scheduledAt: '2026-03-03T00:00:00Z', durationMinutes: 300 },
    });
    expect(firing).toMatchObject({ ok: true });
    expect(backfill.Target.RetryPolicy?.MaximumRetryAttempts).toBe(2);
  });

  it('Scheduler may assume its role for our schedule group, and the role may start the state machine', async () => {
    const roleId = idOf(/^SchedulerRoleForTarget[0-9a-f]{6}[0-9A-F]{8}$/);
    const role = synth.template.Resources[roleId]!;
    const groupArn = arn(/^LowtideSchedules[0-9A-F]{8}$/);
    const trustPolicy = resolve(role.Properties.AssumeRolePolicyDocument) as { Statement: unknown[] };
    const assume = (sourceArn: string) =>
      mayServiceAssumeRole({
        roleArn: arn(/^SchedulerRoleForTarget[0-9a-f]{6}[0-9A-F]{8}$/),
        trustPolicy,
        service: 'scheduler.amazonaws.com',
        sourceArn,
        sourceAccount: account,
      });
    expect((await assume(groupArn)).allowed).toBe(true);
    expect((await assume(`arn:aws:scheduler:${region}:${account}:schedule-group/default`)).allowed).toBe(
      false,
    );
    const policies = Object.values(synth.template.Resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties.Roles as unknown[]).some(
            (x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId }),
          ),
      )
      .map((r) => resolve(r.Properties.PolicyDocument) as { Statement: unknown[] });
    const start = await explainIam(policies, {
      action: 'states:StartExecution',
      resource: machineArnOf(),
      principal: `arn:aws:sts::${account}:assumed-role/${roleId}/scheduler`,
    });
    expect(start).toEqual({ allowed: true, reason: 'allowed' });
  });

  it('purge runs every 30 minutes in Berlin office hours on weekdays', () => {
    const purge = schedules.find((s) => s.Name === 'purge-expired-sessions')!;
    const nextAfter = (iso: string) => nextFireTime(purge, new Date(iso))?.toISOString();
    expect(nextAfter('2026-03-06T16:15:00Z')).toBe('2026-03-06T16:30:00.000Z'); // Friday 17:30 CET
    expect(nextAfter('2026-03-06T16:30:00Z')).toBe('2026-03-09T07:00:00.000Z'); // then Monday 08:00 CET
    expect(nextAfter('2026-06-05T15:45:00Z')).toBe('2026-06-08T06:00:00.000Z'); // summer: Monday 08:00 CEST
  });
});

function machineArnOf(): string {
  return resolve({ Ref: idOf(/^LowtideStateMachine[0-9A-F]{8}$/) }) as string;
}
