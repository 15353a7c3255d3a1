import { describe, expect, it } from 'vitest';
import { type EventRule, LocalEventBus, rulesFromTemplate } from '../../rehearsal/events/bus';
import { alarmStateChangeEvent } from '../../rehearsal/events/shapes';
import type { TargetInput } from '../../rehearsal/events/targets';

const region = 'eu-west-1';
const account = '123456789012';
const fnArn = `arn:aws:lambda:${region}:${account}:function:on-alarm`;
const topicArn = `arn:aws:sns:${region}:${account}:runs`;

function alarmRule(overrides: Partial<EventRule> = {}): EventRule {
  return {
    logicalId: 'AlarmRule',
    arn: `arn:aws:events:${region}:${account}:rule/alarm-rule`,
    EventPattern: {
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: ['db-cpu'] },
    },
    Targets: [
      { Id: 'Fn', Arn: fnArn, DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' } },
      {
        Id: 'Topic',
        Arn: topicArn,
        InputTransformer: {
          InputPathsMap: { alarm: '$.detail.alarmName', state: '$.detail.state.value' },
          InputTemplate: '{"text":"<alarm> is <state>","rule":<aws.events.rule-name>}',
        },
      },
    ],
    ...overrides,
  };
}

const alarm = (alarmName: string) =>
  alarmStateChangeEvent({ alarmName, region, account, state: 'ALARM', id: 'ev-1' });

function recorder(fail?: (arn: string) => string | undefined) {
  const calls: Array<{ arn: string; input: TargetInput; rule: string }> = [];
  const deliver = async (
    arn: string,
    input: TargetInput,
    _role: string | undefined,
    context: { rule: { arn: string } },
  ) => {
    calls.push({ arn, input, rule: context.rule.arn });
    const why = fail?.(arn);
    if (why) throw new Error(why);
  };
  return { calls, deliver };
}

describe('LocalEventBus', () => {
  it('delivers a matching event to every target with its input', async () => {
    const { calls, deliver } = recorder();
    const bus = new LocalEventBus([alarmRule()], deliver);
    const event = alarm('db-cpu');
    const deliveries = await bus.put(event);
    expect(deliveries.map((d) => [d.targetId, d.ok])).toEqual([
      ['Fn', true],
      ['Topic', true],
    ]);
    expect(calls.find((c) => c.arn === fnArn)?.input.value).toEqual(event);
    expect(calls.find((c) => c.arn === topicArn)?.input.value).toEqual({
      text: 'db-cpu is ALARM',
      rule: 'alarm-rule',
    });
    expect(calls.every((c) => c.rule === alarmRule().arn)).toBe(true);
    expect(bus.deliveriesTo(fnArn)).toHaveLength(1);
  });

  it('delivers nothing for an event no rule matches', async () => {
    const { calls, deliver } = recorder();
    const bus = new LocalEventBus([alarmRule()], deliver);
    expect(await bus.put(alarm('other-alarm'))).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('skips disabled rules, rules of other buses and scheduled rules', async () => {
    const { calls, deliver } = recorder();
    const bus = new LocalEventBus(
      [
        alarmRule({ logicalId: 'Off', State: 'DISABLED' }),
        alarmRule({ logicalId: 'Elsewhere', EventBusName: 'custom' }),
        {
          logicalId: 'Cron',
          arn: `arn:aws:events:${region}:${account}:rule/cron`,
          ScheduleExpression: 'rate(1 hour)',
        },
        alarmRule({ logicalId: 'On', State: 'ENABLED' }),
      ],
      deliver,
    );
    expect(bus.matchingRules(alarm('db-cpu'))).toEqual(['On']);
    await bus.put(alarm('db-cpu'));
    expect(calls).toHaveLength(2);
  });

  it('records a failed delivery with the dead-letter queue it would go to', async () => {
    const { deliver } = recorder((arn) => (arn === fnArn ? 'AccessDeniedException: not allowed' : undefined));
    const bus = new LocalEventBus([alarmRule()], deliver);
    const [fn, topic] = await bus.put(alarm('db-cpu'));
    expect(fn).toMatchObject({
      ok: false,
      error: 'AccessDeniedException: not allowed',
      deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq',
    });
    expect(topic?.ok).toBe(true);
  });

  it('records an input that cannot be rendered as a failed delivery, without calling the target', async () => {
    const { calls, deliver } = recorder();
    const broken = alarmRule({
      Targets: [
        {
          Id: 'T',
          Arn: topicArn,
          InputTransformer: { InputPathsMap: { x: '$.nothing' }, InputTemplate: '{"x": <x>}' },
        },
      ],
    });
    const [delivery] = await new LocalEventBus([broken], deliver).put(alarm('db-cpu'));
    expect(delivery).toMatchObject({ ok: false, error: expect.stringMatching(/invalid JSON/) });
    expect(calls).toEqual([]);
  });

  it('refuses a rule whose pattern EventBridge would refuse, naming the rule', () => {
    expect(
      () =>
        new LocalEventBus([alarmRule({ EventPattern: { source: 'aws.cloudwatch' } })], recorder().deliver),
    ).toThrow(/rule AlarmRule: source must be an array/);
  });
});

describe('rulesFromTemplate', () => {
  it('resolves properties and the rule ARN through the caller', () => {
    const template = {
      Resources: {
        R: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: { source: ['aws.states'] },
            Targets: [{ Id: 'a', Arn: { Ref: 'Fn' } }],
          },
        },
        Other: { Type: 'AWS::SNS::Topic', Properties: {} },
      },
    };
    const resolve = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value, (_k, v) => {
          if (v && typeof v === 'object' && 'Ref' in v) return `arn:fake:${v.Ref}`;
          if (v && typeof v === 'object' && 'Fn::GetAtt' in v)
            return `arn:aws:events:${region}:${account}:rule/${v['Fn::GetAtt'][0]}`;
          return v;
        }),
      );
    expect(rulesFromTemplate(template, resolve)).toEqual([
      {
        logicalId: 'R',
        arn: `arn:aws:events:${region}:${account}:rule/R`,
        EventPattern: { source: ['aws.states'] },
        Targets: [{ Id: 'a', Arn: 'arn:fake:Fn' }],
      },
    ]);
  });
});
