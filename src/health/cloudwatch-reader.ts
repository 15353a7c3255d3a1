import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmReader, AlarmState, AlarmStatus } from './types';

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

function isAlarmState(value: unknown): value is AlarmState {
  return value === 'OK' || value === 'ALARM' || value === 'INSUFFICIENT_DATA';
}

/** Reads metric and composite alarms with DescribeAlarms (IAM: cloudwatch:DescribeAlarms). */
export function cloudWatchAlarmReader(client: Pick<CloudWatchClient, 'send'>): AlarmReader {
  return {
    async describeAlarms(names) {
      const found: AlarmStatus[] = [];
      for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new DescribeAlarmsCommand({
              AlarmNames: names.slice(i, i + NAMES_PER_CALL),
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              NextToken: nextToken,
            }),
          );
          for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            if (alarm.AlarmName && isAlarmState(alarm.StateValue)) {
              found.push({ name: alarm.AlarmName, state: alarm.StateValue, reason: alarm.StateReason });
            }
          }
          nextToken = page.NextToken;
        } while (nextToken);
      }
      return found;
    },
  };
}
