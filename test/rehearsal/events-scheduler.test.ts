import { describe, expect, it } from 'vitest';
import { nextCronTime } from '../../rehearsal/events/cron';
import {
  CronError,
  fillContextAttributes,
  fireSchedule,
  nextFireTime,
  parseCron,
  type ScheduleResource,
  scheduleArn,
} from '../../rehearsal/events/scheduler';

const next = (cron: string, zone: string, after: string) =>
  nextCronTime(cron, zone, new Date(after))?.toISOString();

describe('cron next fire time', () => {
  it.each([
    [
      'daily 01:00 Berlin (CET)',
      'cron(0 1 * * ? *)',
      'Europe/Berlin',
      '2026-03-02T00:30:00Z',
      '2026-03-03T00:00:00.000Z',
    ],
    [
      'every 30 min in business hours',
      'cron(0/30 8-17 ? * MON-FRI *)',
      'Europe/Berlin',
      '2026-03-06T16:15:00Z',
      '2026-03-06T16:30:00.000Z',
    ],
    [
      'Friday 17:30 is the last of the week',
      'cron(0/30 8-17 ? * MON-FRI *)',
      'Europe/Berlin',
      '2026-03-06T16:30:00Z',
      '2026-03-09T07:00:00.000Z',
    ],
    [
      'strictly after, to the minute',
      'cron(0/30 8-17 ? * MON-FRI *)',
      'Europe/Berlin',
      '2026-03-09T06:59:30Z',
      '2026-03-09T07:00:00.000Z',
    ],
    [
      'summer time (CEST)',
      'cron(0/30 8-17 ? * MON-FRI *)',
      'Europe/Berlin',
      '2026-06-01T05:00:00Z',
      '2026-06-01T06:00:00.000Z',
    ],
    [
      'spring forward skips the missing 02:30',
      'cron(30 2 * * ? *)',
      'Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-30T00:30:00.000Z',
    ],
    [
      'fall back runs the first 02:30',
      'cron(30 2 * * ? *)',
      'Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00.000Z',
    ],
    [
      'fall back runs only once',
      'cron(30 2 * * ? *)',
      'Europe/Berlin',
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00.000Z',
    ],
    [
      'UTC by default rules',
      'cron(15 10 * * ? *)',
      'UTC',
      '2026-03-02T10:15:00Z',
      '2026-03-03T10:15:00.000Z',
    ],
    [
      'L: last day of the month',
      'cron(0 5 L * ? *)',
      'UTC',
      '2026-02-10T00:00:00Z',
      '2026-02-28T05:00:00.000Z',
    ],
    [
      'LW: last weekday of the month',
      'cron(0 5 LW * ? *)',
      'UTC',
      '2026-05-01T00:00:00Z',
      '2026-05-29T05:00:00.000Z',
    ],
    [
      '15W on a Saturday is Friday 14th',
      'cron(0 0 15W * ? *)',
      'UTC',
      '2026-08-01T00:00:00Z',
      '2026-08-14T00:00:00.000Z',
    ],
    [
      '1W on a Saturday is Monday 3rd',
      'cron(0 0 1W * ? *)',
      'UTC',
      '2026-07-31T12:00:00Z',
      '2026-08-03T00:00:00.000Z',
    ],
    ['2#1: first Monday', 'cron(0 9 ? * 2#1 *)', 'UTC', '2026-03-03T00:00:00Z', '2026-04-06T09:00:00.000Z'],
    ['6L: last Friday', 'cron(0 9 ? * 6L *)', 'UTC', '2026-03-01T00:00:00Z', '2026-03-27T09:00:00.000Z'],
    [
      'FRIL: last Friday by name',
      'cron(0 9 ? * FRIL *)',
      'UTC',
      '2026-03-01T00:00:00Z',
      '2026-03-27T09:00:00.000Z',
    ],
    [
      'months by name and a list',
      'cron(0 0 1 JAN,JUL ? *)',
      'UTC',
      '2026-02-01T00:00:00Z',
      '2026-07-01T00:00:00.000Z',
    ],
    ['a year', 'cron(0 0 1 1 ? 2027)', 'UTC', '2026-06-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['*/15 minutes', 'cron(*/15 * * * ? *)', 'UTC', '2026-03-02T10:16:00Z', '2026-03-02T10:30:00.000Z'],
    [
      'New York (UTC-5 in winter)',
      'cron(0 9 ? * MON *)',
      'America/New_York',
      '2026-03-01T00:00:00Z',
      '2026-03-02T14:00:00.000Z',
    ],
  ])('%s', (_name, cron, zone, after, expected) => {
    expect(next(cron, zone, after)).toBe(expected);
  });

  it('says never once the years run out', () => {
    expect(next('cron(0 0 1 1 ? 2027)', 'UTC', '2027-01-01T00:00:00Z')).toBeUndefined();
  });

  it.each([
    ['five fields', 'cron(0 1 * * ?)', /6 fields/],
    ['no ?', 'cron(0 1 * * MON *)', /exactly one of day-of-month and day-of-week/],
    ['two ?', 'cron(0 1 ? * ? *)', /exactly one/],
    ['a minute out of range', 'cron(60 1 * * ? *)', /minutes field: '60' is not in 0-59/],
    ['an unknown day name', 'cron(0 1 ? * MOM *)', /day-of-week field: 'MOM'/],
    ['a backwards range', 'cron(0 1 ? * FRI-MON *)', /runs backwards/],
    ['no wrapper', '0 1 * * ? *', /not a cron\(\.\.\.\) expression/],
  ])('refuses %s', (_name, cron, message) => {
    expect(() => parseCron(cron)).toThrow(CronError);
    expect(() => parseCron(cron)).toThrow(message);
  });

  it('refuses an unknown time zone', () => {
    expect(() => nextCronTime('cron(0 1 * * ? *)', 'Mars/Olympus', new Date())).toThrow(/IANA time zone/);
  });
});

describe('nextFireTime for a schedule', () => {
  it('honours StartDate and EndDate, and at() in the time zone', () => {
    const base = { ScheduleExpression: 'cron(0 1 * * ? *)', ScheduleExpressionTimezone: 'Europe/Berlin' };
    expect(
      nextFireTime(
        { ...base, StartDate: '2026-04-01T00:00:00Z' },
        new Date('2026-03-02T00:00:00Z'),
      )?.toISOString(),
    ).toBe('2026-04-01T23:00:00.000Z');
    expect(
      nextFireTime({ ...base, EndDate: '2026-03-02T12:00:00Z' }, new Date('2026-03-02T01:00:00Z')),
    ).toBeUndefined();
    expect(
      nextFireTime(
        { ScheduleExpression: 'at(2026-05-01T09:00:00)', ScheduleExpressionTimezone: 'Europe/Berlin' },
        new Date(0),
      )?.toISOString(),
    ).toBe('2026-05-01T07:00:00.000Z');
    expect(() => nextFireTime({ ScheduleExpression: 'rate(5 minutes)' }, new Date())).toThrow(/only cron/);
  });
});

const arn = scheduleArn('eu-west-1', '123456789012', 'backfill-account-tier', 'lowtide');
const schedule: ScheduleResource = {
  logicalId: 'Backfill',
  arn,
  Name: 'backfill-account-tier',
  GroupName: 'lowtide',
  ScheduleExpression: 'cron(0 1 * * ? *)',
  ScheduleExpressionTimezone: 'Europe/Berlin',
  State: 'ENABLED',
  FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
  Target: {
    Arn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lowtide',
    RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
    Input:
      '{"jobId":"backfill-account-tier","window":{"scheduledAt":"<aws.scheduler.scheduled-time>","durationMinutes":300},"try":<aws.scheduler.attempt-number>}',
    RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 1800 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' },
  },
};
const at0100 = new Date('2026-03-03T00:00:00Z');

describe('fireSchedule', () => {
  it('fills the context attributes and calls the target as the scheduler role', async () => {
    const calls: Array<[string, string, string]> = [];
    const firing = await fireSchedule(
      schedule,
      at0100,
      async (target, input, role) => {
        calls.push([target, input, role]);
      },
      { executionId: 'd32c5kddcf5bb8c3' },
    );
    expect(firing).toMatchObject({ ok: true, executionId: 'd32c5kddcf5bb8c3', scheduleArn: arn });
    expect(calls).toHaveLength(1);
    const [target, input, role] = calls[0]!;
    expect([target, role]).toEqual([schedule.Target.Arn, schedule.Target.RoleArn]);
    expect(JSON.parse(input)).toEqual({
      jobId: 'backfill-account-tier',
      window: { scheduledAt: '2026-03-03T00:00:00Z', durationMinutes: 300 },
      try: 1,
    });
  });

  it('retries up to MaximumRetryAttempts with the attempt number, then names the dead-letter queue', async () => {
    const firing = await fireSchedule(schedule, at0100, async () => {
      throw new Error('ThrottlingException');
    });
    expect(firing.attempts.map((a) => [a.attemptNumber, JSON.parse(a.input).try, a.ok])).toEqual([
      [1, 1, false],
      [2, 2, false],
      [3, 3, false],
    ]);
    expect(firing).toMatchObject({ ok: false, deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' });
  });

  it('stops at an error that is not retryable', async () => {
    const firing = await fireSchedule(schedule, at0100, async () => {
      throw Object.assign(new Error('AccessDeniedException'), { retryable: false });
    });
    expect(firing.attempts).toHaveLength(1);
  });

  it('refuses a time the schedule does not fire at, and a disabled schedule', async () => {
    const never = async () => {
      throw new Error('must not be called');
    };
    await expect(fireSchedule(schedule, new Date('2026-03-03T01:00:00Z'), never)).rejects.toThrow(
      /does not fire at 2026-03-03T01:00:00.000Z; its next time .* is 2026-03-04T00:00:00.000Z/,
    );
    await expect(fireSchedule({ ...schedule, State: 'DISABLED' }, at0100, never)).rejects.toThrow(/DISABLED/);
  });

  it('fills every documented attribute', () => {
    const text = fillContextAttributes(
      '<aws.scheduler.schedule-arn>|<aws.scheduler.scheduled-time>|<aws.scheduler.execution-id>|<aws.scheduler.attempt-number>|<aws.scheduler.other>',
      {
        scheduleArn: arn,
        scheduledTime: new Date('2022-03-22T18:59:43.512Z'),
        executionId: 'x1',
        attemptNumber: 2,
      },
    );
    expect(text).toBe(`${arn}|2022-03-22T18:59:43Z|x1|2|<aws.scheduler.other>`);
  });
});
