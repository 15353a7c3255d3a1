import { readFileSync } from 'node:fs';
import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkSubstitutions } from '../asl';
import { acknowledge } from '../nag';

export interface FleetStateMachineProps {
  /** Path of the fleet ASL file (statemachines/fleet-job.asl.json). */
  readonly definitionFile: string;
  /** The fleet machine's own name: explicit, so its role can name its own child executions. */
  readonly stateMachineName: string;
  /** The per-run (maintenance-job) state machine each member runs as a nested execution of. */
  readonly maintenanceStateMachineName: string;
  /** The control table the fleet's first step records its roster in (one PutItem per execution). */
  readonly controlTable: dynamodb.ITable;
  /**
   * Retention of the execution log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The fleet state machine: a Distributed Map over a fleet job's members, each iteration a nested
 * `startExecution.sync:2` of the maintenance-job machine. Its role may start that machine, read
 * and stop that machine's executions, manage the EventBridge rule Step Functions uses to learn
 * when a nested execution ends, and run its own Map's child executions; nothing else.
 */
export class FleetStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: FleetStateMachineProps) {
    const definition = readFileSync(props.definitionFile, 'utf8');
    const substitutions = ['ControlTableName', 'MaintenanceExecutionArnPrefix', 'MaintenanceStateMachineArn'];
    checkSubstitutions(props.definitionFile, definition, substitutions);
    super(scope, id);
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({
        service: 'states',
        resource,
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.stateMachineArn = arn('stateMachine', props.stateMachineName);
    const maintenanceArn = arn('stateMachine', props.maintenanceStateMachineName);
    const maintenanceExecutions = arn('execution', props.maintenanceStateMachineName);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `lowtide fleet state machine ${props.stateMachineName}`,
    });
    // "Start a new AWS Step Functions state machine execution" (Step Functions Developer Guide,
    // IAM policies for the optimized integration, .sync): StartExecution on the child machine,
    // DescribeExecution and StopExecution on its executions, and the managed EventBridge rule.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartMemberRuns',
        actions: ['states:StartExecution'],
        resources: [maintenanceArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowMemberRuns',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [`${maintenanceExecutions}:*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SyncExecutionEvents',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
          }),
        ],
      }),
    );
    // "Call DynamoDB with Step Functions" (Step Functions Developer Guide): putItem needs
    // dynamodb:PutItem on the table. Only the fleet roster's item: partition keys JOB#..., and
    // (IAM condition keys for DynamoDB, dynamodb:LeadingKeys) nothing but PutItem.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RecordFleetRoster',
        actions: ['dynamodb:PutItem'],
        resources: [props.controlTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOB#*'] } },
      }),
    );
    props.controlTable.encryptionKey?.grantEncryptDecrypt(role);
    // "IAM policies for using Distributed Map states": the Map runs each iteration as a child
    // execution of this machine, which it starts, reads and stops.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DistributedMapChildren',
        actions: ['states:StartExecution'],
        resources: [this.stateMachineArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DistributedMapChildExecutions',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [`${arn('execution', props.stateMachineName)}:*`],
      }),
    );

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: {
        ControlTableName: props.controlTable.tableName,
        MaintenanceStateMachineArn: maintenanceArn,
        MaintenanceExecutionArnPrefix: maintenanceExecutions,
      },
      role,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Resource "*" only where the services allow nothing narrower: X-Ray tracing and the CloudWatch Logs ' +
        'log-delivery actions Step Functions needs to log executions.',
    );
    // cdk-nag names a resource as the template spells it: pseudo parameters, or the stack's env.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const executions = `arn:<AWS::Partition>:states:${region}:${account}:execution`;
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${executions}:${props.maintenanceStateMachineName}:*]`,
      'Member runs are executions of the maintenance machine whose names are only known at run time; the ' +
        'statement names that one machine.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${executions}:${props.stateMachineName}:*]`,
      "The Distributed Map's child executions are this machine's own, named by Step Functions at run time.",
    );
  }

  /** Start, stop and inspect fleet executions: what an operator does from the console or the CLI. */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    this.stateMachine.grantStartExecution(grantee);
    this.stateMachine.grantRead(grantee);
    return this.stateMachine.grantExecution(grantee, 'states:StopExecution');
  }
}
