import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ABNORMAL_END_STATUSES } from './run-notifications';

export interface ControlEventsProps {
  readonly stateMachine: sfn.IStateMachine;
  /** Alarms whose state changes pause (and, with autoResume, resume) jobs: the jobs' own and the replica-lag ones. */
  readonly alarmNames: readonly string[];
  readonly onAlarm: lambda.IFunction;
  readonly onExecutionEnd: lambda.IFunction;
  /** Where events that could not be delivered to a function go. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The two EventBridge rules that keep control state honest between batches: an alarm's state change
 * becomes a pause request (or clears one), and an execution that ended outside the state machine's
 * control (stopped in the console, failed, timed out) gives its lease back at once.
 */
export class ControlEvents extends Construct {
  /** Absent when no job names an alarm and no connection has a lag alarm. */
  readonly alarmRule?: events.Rule;
  readonly executionEndRule: events.Rule;

  constructor(scope: Construct, id: string, props: ControlEventsProps) {
    super(scope, id);
    const targetOptions = {
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 8,
      maxEventAge: Duration.hours(2),
    };
    const alarmNames = [...new Set(props.alarmNames)].sort();
    if (alarmNames.length > 0) {
      this.alarmRule = new events.Rule(this, 'AlarmStateChange', {
        description: 'lowtide: alarm state changes pause and resume the jobs that watch the alarm',
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          detail: { alarmName: alarmNames },
        },
        targets: [new eventsTargets.LambdaFunction(props.onAlarm, targetOptions)],
      });
    }
    this.executionEndRule = new events.Rule(this, 'ExecutionEnd', {
      description: 'lowtide: release the lease of an execution that was stopped, failed or timed out',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...ABNORMAL_END_STATUSES] },
      },
      targets: [new eventsTargets.LambdaFunction(props.onExecutionEnd, targetOptions)],
    });
  }
}
