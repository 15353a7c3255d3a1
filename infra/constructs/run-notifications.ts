import { RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Execution statuses that end a run without the state machine's say: always worth telling. */
export const ABNORMAL_END_STATUSES = ['ABORTED', 'FAILED', 'TIMED_OUT'] as const;

/**
 * Clean exits the operator wants to hear about, by the `decision` field that the last handler
 * returns and that becomes the execution's output. Blocked, lease-held, window-closed and
 * continued runs are routine and stay quiet.
 */
export const NOTIFIED_DECISIONS = ['paused', 'aborted', 'completed'] as const;

export interface RunNotificationsProps {
  readonly stateMachine: sfn.IStateMachine;
  /**
   * Email addresses to subscribe (each confirms once by email).
   * @default - none; subscribe what you like to `topic`
   */
  readonly emails?: readonly string[];
  /** Where a notification EventBridge could not deliver goes. */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * An SNS topic (KMS-encrypted, TLS only) told of paused, failed, aborted and completed runs, fed by
 * EventBridge from the state machine's execution status changes.
 */
export class RunNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly abnormalEndRule: events.Rule;
  readonly cleanEndRule: events.Rule;

  constructor(scope: Construct, id: string, props: RunNotificationsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'lowtide run notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'lowtide runs',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails ?? [])
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const stateMachineArn = props.stateMachine.stateMachineArn;
    const target = new eventsTargets.SnsTopic(this.topic, {
      message: events.RuleTargetInput.fromObject({
        summary: `lowtide run ${events.EventField.fromPath('$.detail.name')} ended ${events.EventField.fromPath('$.detail.status')}`,
        status: events.EventField.fromPath('$.detail.status'),
        execution: events.EventField.fromPath('$.detail.executionArn'),
        input: events.EventField.fromPath('$.detail.input'),
        output: events.EventField.fromPath('$.detail.output'),
        region: events.EventField.fromPath('$.region'),
      }),
      deadLetterQueue: props.deadLetterQueue,
    });
    this.abnormalEndRule = new events.Rule(this, 'AbnormalEnd', {
      description: 'lowtide: a run failed, timed out or was stopped from the console',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [stateMachineArn], status: [...ABNORMAL_END_STATUSES] },
      },
      targets: [target],
    });
    this.cleanEndRule = new events.Rule(this, 'CleanEnd', {
      description: 'lowtide: a run paused, aborted on request, or completed',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [stateMachineArn],
          status: ['SUCCEEDED'],
          output: events.Match.anyOf(
            ...NOTIFIED_DECISIONS.map((d) => events.Match.wildcard(`*"decision":"${d}"*`)),
          ),
        },
      },
      targets: [target],
    });
  }

  grantSubscribe(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantSubscribe(grantee);
  }
}

export interface FleetNotificationsProps {
  /** The fleet state machine, whose own executions are the fleet's transitions. */
  readonly fleetStateMachine: sfn.IStateMachine;
  /** The run notifications' topic: the same subscribers hear of fleets. */
  readonly topic: sns.ITopic;
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * One notification per fleet transition, from the fleet state machine's own execution status
 * changes ("Step Functions Execution Status Change", EventBridge events from Step Functions):
 * started (RUNNING), completed (SUCCEEDED: every member's iteration ended within the tolerance),
 * failed (FAILED: more members failed than tolerated), timed out or stopped. Member runs still
 * notify as any run does.
 */
export class FleetNotifications extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: FleetNotificationsProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Transition', {
      description: 'lowtide: a fleet started, completed, failed, timed out or was stopped',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.fleetStateMachine.stateMachineArn],
          status: ['RUNNING', 'SUCCEEDED', ...ABNORMAL_END_STATUSES],
        },
      },
      targets: [
        new eventsTargets.SnsTopic(props.topic, {
          message: events.RuleTargetInput.fromObject({
            summary: `lowtide fleet ${events.EventField.fromPath('$.detail.name')} ${events.EventField.fromPath('$.detail.status')}`,
            fleet: true,
            status: events.EventField.fromPath('$.detail.status'),
            execution: events.EventField.fromPath('$.detail.executionArn'),
            input: events.EventField.fromPath('$.detail.input'),
            output: events.EventField.fromPath('$.detail.output'),
            region: events.EventField.fromPath('$.region'),
          }),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
  }
}
