import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { dashboardName, type LowtideConfig } from '../src/config';
import { Lowtide, type LowtideProps } from './lowtide';

export interface LowtideStackProps extends StackProps, Omit<LowtideProps, 'config'> {
  readonly config: LowtideConfig;
}

/** One lowtide deployment per stack, with the outputs an operator starts from. */
export class LowtideStack extends Stack {
  readonly lowtide: Lowtide;

  constructor(scope: Construct, id: string, props: LowtideStackProps) {
    super(scope, id, {
      description: 'lowtide: online database maintenance jobs (Step Functions, Lambda, DynamoDB)',
      ...props,
    });
    const { config, ...lowtideProps } = props;
    this.lowtide = new Lowtide(this, 'Lowtide', { ...lowtideProps, config });

    const stateMachineArn = this.lowtide.stateMachine.stateMachine.stateMachineArn;
    const console = `https://${Aws.REGION}.console.aws.amazon.com`;
    new CfnOutput(this, 'StateMachineArn', { value: stateMachineArn, description: 'Start runs here' });
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      value: Fn.join('', [
        `${console}/states/home?region=${Aws.REGION}#/statemachines/view/`,
        stateMachineArn,
      ]),
      description: 'Start and stop executions from the console',
    });
    if (this.lowtide.fleetStateMachine) {
      new CfnOutput(this, 'FleetStateMachineArn', {
        value: this.lowtide.fleetStateMachine.stateMachine.stateMachineArn,
        description: 'Fleet jobs (on a connection group) start here: lowtide start <job> --stack',
      });
    }
    new CfnOutput(this, 'ControlTableName', {
      value: this.lowtide.controlTable.tableName,
      description: 'Job status, leases, checkpoints and history',
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: this.lowtide.notifications.topic.topicArn,
      description: 'Paused, failed, aborted and completed runs',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.lowtide.deadLetterQueue.queueUrl,
      description: 'Scheduled starts and control events that could not be delivered',
    });
    for (const jobId of Object.keys(this.lowtide.dashboards)) {
      new CfnOutput(this, `DashboardUrl${outputSuffix(jobId)}`, {
        value: `${console}/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboardName(config.name, jobId)}`,
        description: `Dashboard of job ${jobId}`,
      });
    }
  }
}

/** Output ids allow letters and digits only. */
function outputSuffix(jobId: string): string {
  return jobId
    .split('-')
    .map((part) => `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`)
    .join('');
}
