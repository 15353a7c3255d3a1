import { describe, expect, it } from 'vitest';
import {
  type RuleTarget,
  renderTargetInput,
  selectJsonPath,
  TargetInputError,
} from '../../rehearsal/events/targets';

const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 3, tags: ['a', 'b'], quoted: 'say "hi"' },
};
const rule = { ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example' };
const paths = { instance: '$.detail.instance-id', state: '$.detail.state', count: '$.detail.count' };

function transform(InputTemplate: string, InputPathsMap: Record<string, string> = paths) {
  return renderTargetInput(
    { Id: 't', Arn: 'arn:x', InputTransformer: { InputPathsMap, InputTemplate } },
    event,
    rule,
  );
}

describe('InputTransformer', () => {
  // The examples of "Amazon EventBridge input transformation".
  it.each([
    ['a quoted string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    [
      'simple JSON',
      '{ "instance" : <instance>, "state": <state> }',
      '{"instance":"i-0123456789","state":"RUNNING"}',
    ],
    [
      'strings and variables',
      '{"instance": <instance>, "state": "<state>", "status": "instance \\"<instance>\\" is in <state>"}',
      '{"instance":"i-0123456789","state":"RUNNING","status":"instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      'variables and static values',
      '{"instance": <instance>, "state": [ 9, <state>, true ], "Transformed": "Yes"}',
      '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
    ],
    ['a number stays a number', '{"n": <count>, "s": "<count> items"}', '{"n":3,"s":"3 items"}'],
    [
      'the rule ARN and name',
      '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>}',
      '{"ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","ruleName":"example"}',
    ],
    ['the rule name in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
  ])('%s', (_name, template, expected) => {
    expect(transform(template).text).toBe(expected);
  });

  it('a plain-text template gets the values as they are', () => {
    expect(transform('<instance> is in state <state>')).toEqual({
      text: 'i-0123456789 is in state RUNNING',
      json: false,
    });
  });

  it('<aws.events.event> is the event without detail, <aws.events.event.json> the whole event', () => {
    const { value } = transform('{"e": <aws.events.event>, "full": <aws.events.event.json>}');
    const { detail, ...withoutDetail } = event;
    expect(value).toEqual({ e: withoutDetail, full: event });
    expect(detail).toBeDefined();
  });

  it('a variable whose path is not in the event is left out', () => {
    expect(transform('"state <state><gone>"', { ...paths, gone: '$.detail.nothing' }).text).toBe(
      '"state RUNNING"',
    );
  });

  it('a left-out variable in a JSON value position cannot be delivered', () => {
    expect(() => transform('{"gone": <gone>}', { gone: '$.detail.nothing' })).toThrow(/renders invalid JSON/);
  });

  it('a string with quotes is not escaped inside a quoted string, and breaks the JSON', () => {
    expect(() => transform('{"q": "<q>"}', { q: '$.detail.quoted' })).toThrow(TargetInputError);
    expect(transform('{"q": <q>}', { q: '$.detail.quoted' }).value).toEqual({ q: 'say "hi"' });
  });

  it('objects and arrays go in as JSON', () => {
    expect(transform('{"d": <d>, "t": <t>}', { d: '$.detail', t: '$.detail.tags' }).value).toEqual({
      d: event.detail,
      t: ['a', 'b'],
    });
  });

  it('refuses a reserved variable name', () => {
    expect(() => transform('<aws.x>', { 'AWS.x': '$.id' })).toThrow(/must match/);
  });
});

describe('Input, InputPath, or the event', () => {
  const base: RuleTarget = { Id: 't', Arn: 'arn:x' };

  it('sends the whole event by default', () => {
    expect(renderTargetInput(base, event, rule).value).toEqual(event);
  });

  it('sends Input as given', () => {
    expect(renderTargetInput({ ...base, Input: '{"fixed":true}' }, event, rule)).toEqual({
      text: '{"fixed":true}',
      json: true,
      value: { fixed: true },
    });
  });

  it('sends the part InputPath selects', () => {
    expect(renderTargetInput({ ...base, InputPath: '$.detail' }, event, rule).value).toEqual(event.detail);
  });

  it('refuses two ways at once', () => {
    expect(() => renderTargetInput({ ...base, Input: '{}', InputPath: '$' }, event, rule)).toThrow(
      /at most one/,
    );
  });
});

describe('JSON paths', () => {
  it.each([
    ['$', event],
    ['$.detail.instance-id', 'i-0123456789'],
    ['$.resources[0]', event.resources[0]],
    ['$.detail.tags[*]', ['a', 'b']],
    ['$.detail.nothing', undefined],
    ['$.resources[5]', undefined],
  ])('%s', (path, expected) => {
    expect(selectJsonPath(event, path)).toEqual(expected);
  });

  it('refuses bracket notation for names', () => {
    expect(() => selectJsonPath(event, "$['detail']")).toThrow(/does not support/);
  });
});
