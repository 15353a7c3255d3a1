import { Duration, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { normalizeCron, type Schedule } from '../../src/config';

export interface JobScheduleProps {
  readonly jobId: string;
  readonly schedule: Schedule;
  readonly stateMachine: sfn.IStateMachine;
  /** Where a start that could not be delivered after the retries goes. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly scheduleGroup?: scheduler.IScheduleGroup;
  /**
   * Retries of a failed StartExecution. Scheduler's default (185 over a day) would start a run
   * hours after its window; a start that keeps failing is a deployment problem to look at.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long Scheduler keeps trying to deliver one start.
   * @default Duration.minutes(30)
   */
  readonly maxEventAge?: Duration;
  /** More fields of the execution input: a fleet job's members and Map settings. Default none. */
  readonly extraInput?: Readonly<Record<string, unknown>>;
}

/**
 * Starts a job's runs on its cron schedule, in its time zone, within a flexible window. The input
 * names the job and the window; Scheduler cannot compute an end time, so it passes the scheduled
 * time and the duration and preflight derives the end.
 */
export class JobSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: JobScheduleProps) {
    super(scope, id);
    const { schedule } = props;
    const input = {
      ...props.extraInput,
      jobId: props.jobId,
      window: {
        scheduledAt: scheduler.ContextAttribute.scheduledTime,
        durationMinutes: schedule.durationMinutes,
      },
    };
    this.schedule = new scheduler.Schedule(this, 'Resource', {
      scheduleName: props.jobId,
      scheduleGroup: props.scheduleGroup,
      description: `lowtide: starts job ${props.jobId} (${schedule.durationMinutes} min window)`,
      schedule: scheduler.ScheduleExpression.expression(
        normalizeCron(schedule.cron),
        TimeZone.of(schedule.timeZone),
      ),
      timeWindow: scheduler.TimeWindow.flexible(Duration.minutes(schedule.flexibleWindowMinutes)),
      enabled: schedule.enabled,
      target: new targets.StepFunctionsStartExecution(props.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: props.retryAttempts ?? 2,
        maxEventAge: props.maxEventAge ?? Duration.minutes(30),
      }),
    });
  }
}
