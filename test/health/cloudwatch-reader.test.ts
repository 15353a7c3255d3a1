import { DescribeAlarmsCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { cloudWatchAlarmReader } from '../../src/health';

/** Records the DescribeAlarms requests and answers from a table of alarms, a page of two at a time. */
function fakeCloudWatch(alarms: Record<string, { state: string; composite?: boolean }>) {
  const requests: DescribeAlarmsCommand['input'][] = [];
  return {
    requests,
    async send(command: DescribeAlarmsCommand): Promise<DescribeAlarmsCommandOutput> {
      expect(command).toBeInstanceOf(DescribeAlarmsCommand);
      requests.push(command.input);
      const wanted = (command.input.AlarmNames ?? []).filter((n) => alarms[n]);
      const start = Number(command.input.NextToken ?? 0);
      const page = wanted.slice(start, start + 2);
      const next = start + 2 < wanted.length ? String(start + 2) : undefined;
      const of = (composite: boolean) =>
        page
          .filter((n) => !!alarms[n]!.composite === composite)
          .map((n) => ({ AlarmName: n, StateValue: alarms[n]!.state as never }));
      return { MetricAlarms: of(false), CompositeAlarms: of(true), NextToken: next, $metadata: {} };
    },
  };
}

describe('the CloudWatch alarm reader', () => {
  it('asks for metric and composite alarms by name, follows pages and leaves unknown names out', async () => {
    const cw = fakeCloudWatch({
      cpu: { state: 'ALARM' },
      lag: { state: 'OK' },
      any: { state: 'INSUFFICIENT_DATA', composite: true },
    });
    const found = await cloudWatchAlarmReader(cw as never).describeAlarms(['cpu', 'lag', 'any', 'missing']);
    expect(found.map((a) => [a.name, a.state]).sort()).toEqual([
      ['any', 'INSUFFICIENT_DATA'],
      ['cpu', 'ALARM'],
      ['lag', 'OK'],
    ]);
    expect(cw.requests[0]).toMatchObject({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(cw.requests).toHaveLength(2);
  });

  it('splits long name lists into calls of at most 100 names', async () => {
    const cw = fakeCloudWatch({});
    const names = Array.from({ length: 250 }, (_, i) => `alarm-${i}`);
    expect(await cloudWatchAlarmReader(cw as never).describeAlarms(names)).toEqual([]);
    expect(cw.requests.map((r) => r.AlarmNames?.length)).toEqual([100, 100, 50]);
  });
});
