import { randomBytes } from 'node:crypto';
import { CronError, nextCronTime, parseCron, zoneOf } from './cron';
import { isPlainObject } from './pattern';

export { CronError, parseCron } from './cron';

/** An AWS::Scheduler::Schedule's Properties with intrinsics resolved, plus the schedule's ARN. */
export interface ScheduleResource {
  readonly logicalId: string;
  /** arn:aws:scheduler:<region>:<account>:schedule/<group>/<name> */
  readonly arn: string;
  readonly Name?: string;
  readonly GroupName?: string;
  readonly ScheduleExpression: string;
  /** Default UTC. */
  readonly ScheduleExpressionTimezone?: string;
  /** ENABLED (the default) or DISABLED. */
  readonly State?: string;
  readonly StartDate?: string;
  readonly EndDate?: string;
  readonly FlexibleTimeWindow: { readonly Mode: string; readonly MaximumWindowInMinutes?: number };
  readonly Target: {
    readonly Arn: string;
    readonly RoleArn: string;
    readonly Input?: string;
    readonly RetryPolicy?: {
      readonly MaximumRetryAttempts?: number;
      readonly MaximumEventAgeInSeconds?: number;
    };
    readonly DeadLetterConfig?: { readonly Arn?: string };
  };
}

export function scheduleArn(region: string, account: string, name: string, groupName = 'default'): string {
  return `arn:aws:scheduler:${region}:${account}:schedule/${groupName}/${name}`;
}

export interface ScheduleContext {
  readonly scheduleArn: string;
  readonly scheduledTime: Date;
  readonly executionId: string;
  readonly attemptNumber: number;
}

/**
 * Replaces the context attributes in a target's Input, as "Adding context attributes in EventBridge
 * Scheduler" (EventBridge Scheduler User Guide) lists them: `<aws.scheduler.schedule-arn>`,
 * `<aws.scheduler.scheduled-time>` (the time the schedule was set to fire, e.g.
 * 2022-03-22T18:59:43Z, not when a flexible window let it run), `<aws.scheduler.execution-id>`
 * and `<aws.scheduler.attempt-number>`. They are keywords in the text: no quoting is added.
 */
export function fillContextAttributes(input: string, context: ScheduleContext): string {
  const values: Record<string, string> = {
    'aws.scheduler.schedule-arn': context.scheduleArn,
    'aws.scheduler.scheduled-time': `${context.scheduledTime.toISOString().slice(0, 19)}Z`,
    'aws.scheduler.execution-id': context.executionId,
    'aws.scheduler.attempt-number': String(context.attemptNumber),
  };
  return input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Calls a schedule's target. The caller maps the ARN (for a state machine, StartExecution signed
 * as `roleArn`, the scheduler's role). Throwing fails the attempt; an error with
 * `retryable: false` is not retried.
 */
export type InvokeScheduleTarget = (
  targetArn: string,
  input: string,
  roleArn: string,
  context: ScheduleContext,
) => Promise<unknown>;

export interface ScheduleAttempt {
  readonly attemptNumber: number;
  readonly input: string;
  readonly ok: boolean;
  readonly error?: string;
  /** What the callback returned (for a state machine, the StartExecution answer). */
  readonly result?: unknown;
}

export interface ScheduleFiring {
  readonly scheduleLogicalId: string;
  readonly scheduleArn: string;
  readonly scheduledTime: Date;
  readonly executionId: string;
  readonly attempts: readonly ScheduleAttempt[];
  readonly ok: boolean;
  /** Where Scheduler sends the event once the attempts are spent, when one is configured. */
  readonly deadLetterArn?: string;
}

// Scheduler's RetryPolicy default: 185 retries over 24 hours ("RetryPolicy", EventBridge Scheduler API Reference).
const DEFAULT_RETRIES = 185;

/**
 * Fires a schedule for one of its scheduled times: the Input with the context attributes filled
 * in goes to the target, retried (at once here, not with Scheduler's backoff) up to
 * RetryPolicy.MaximumRetryAttempts. Refuses a disabled schedule and a time the expression does
 * not fire at, so a scenario cannot start a run Scheduler never would.
 */
export async function fireSchedule(
  schedule: ScheduleResource,
  scheduledTime: Date,
  invoke: InvokeScheduleTarget,
  options: { readonly executionId?: string } = {},
): Promise<ScheduleFiring> {
  if ((schedule.State ?? 'ENABLED') !== 'ENABLED') {
    throw new Error(
      `schedule ${schedule.logicalId} is ${schedule.State}: Scheduler does not invoke its target`,
    );
  }
  const expected = nextFireTime(schedule, new Date(scheduledTime.getTime() - 60_000));
  if (expected?.getTime() !== scheduledTime.getTime()) {
    throw new Error(
      `schedule ${schedule.logicalId} (${schedule.ScheduleExpression} in ${timeZoneOf(schedule)}) does not fire at ` +
        `${scheduledTime.toISOString()}; its next time after the minute before is ${expected?.toISOString() ?? 'never'}`,
    );
  }
  const executionId = options.executionId ?? randomBytes(8).toString('hex');
  const retries = schedule.Target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
  const attempts: ScheduleAttempt[] = [];
  for (let attemptNumber = 1; attemptNumber <= retries + 1; attemptNumber++) {
    const context = { scheduleArn: schedule.arn, scheduledTime, executionId, attemptNumber };
    const input = fillContextAttributes(schedule.Target.Input ?? '{}', context);
    try {
      const result = await invoke(schedule.Target.Arn, input, schedule.Target.RoleArn, context);
      attempts.push({ attemptNumber, input, ok: true, ...(result === undefined ? {} : { result }) });
      break;
    } catch (error) {
      attempts.push({ attemptNumber, input, ok: false, error: (error as Error).message });
      if (isPlainObject(error) && error.retryable === false) break;
    }
  }
  const ok = attempts.at(-1)?.ok === true;
  return {
    scheduleLogicalId: schedule.logicalId,
    scheduleArn: schedule.arn,
    scheduledTime,
    executionId,
    attempts,
    ok,
    deadLetterArn: ok ? undefined : schedule.Target.DeadLetterConfig?.Arn,
  };
}

/**
 * The first time strictly after `after` the schedule fires, in its ScheduleExpressionTimezone,
 * within StartDate/EndDate; undefined when it never fires again. cron(...) and at(...) only:
 * a rate(...) schedule's times depend on when it was created.
 */
export function nextFireTime(
  schedule: Pick<
    ScheduleResource,
    'ScheduleExpression' | 'ScheduleExpressionTimezone' | 'StartDate' | 'EndDate'
  >,
  after: Date,
): Date | undefined {
  const expression = schedule.ScheduleExpression.trim();
  const timeZone = timeZoneOf(schedule);
  const start = schedule.StartDate ? new Date(schedule.StartDate) : undefined;
  const end = schedule.EndDate ? new Date(schedule.EndDate) : undefined;
  const from = start && start.getTime() - 1 > after.getTime() ? new Date(start.getTime() - 1) : after;
  let next: Date | undefined;
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    const [y, mo, d, h, mi] = at.slice(1, 6).map(Number) as [number, number, number, number, number];
    const instant = zoneOf(timeZone).firstInstant(y, mo, d, h, mi);
    next = instant !== undefined && instant > from.getTime() ? new Date(instant) : undefined;
  } else if (expression.startsWith('cron(')) {
    next = nextCronTime(parseCron(expression), timeZone, from);
  } else {
    throw new CronError(`'${expression}': only cron(...) and at(...) schedules have fixed times`);
  }
  return next && end && next.getTime() > end.getTime() ? undefined : next;
}

function timeZoneOf(schedule: Pick<ScheduleResource, 'ScheduleExpressionTimezone'>): string {
  return schedule.ScheduleExpressionTimezone ?? 'UTC';
}

/** A CloudFormation template, as far as the schedules need it. */
export interface TemplateWithResources {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
}

/**
 * The template's AWS::Scheduler::Schedule resources with `resolve` (the caller's intrinsic
 * resolver) applied to the properties and to `Fn::GetAtt [schedule, Arn]` for the ARN.
 */
export function schedulesFromTemplate(
  template: TemplateWithResources,
  resolve: (value: unknown) => unknown,
): ScheduleResource[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Scheduler::Schedule')
    .map(([logicalId, resource]) => {
      const properties = resolve(resource.Properties ?? {});
      const arn = resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] });
      if (!isPlainObject(properties) || typeof arn !== 'string') {
        throw new Error(
          `schedule ${logicalId}: the resolver must give an object for Properties and a string ARN`,
        );
      }
      return { ...(properties as unknown as Omit<ScheduleResource, 'logicalId' | 'arn'>), logicalId, arn };
    });
}
