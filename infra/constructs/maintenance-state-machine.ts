import { readFileSync } from 'node:fs';
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type AslDefinition, checkDefinitionCosts, historyCosts } from '../../src/run/history-budget';
import { checkSubstitutions } from '../asl';
import { acknowledge } from '../nag';

export interface MaintenanceStateMachineProps {
  /** Path of the ASL file (JSONPath, with `${...}` placeholders). */
  readonly definitionFile: string;
  /** Placeholder name -> the function whose ARN replaces it; must match the file's placeholders exactly. */
  readonly taskFunctions: Readonly<Record<string, lambda.IFunction>>;
  /** Explicit, so the machine can start itself (ContinueAsNew) without a reference cycle. */
  readonly stateMachineName: string;
  /**
   * Retention of the execution log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The maintenance-job state machine from its ASL file: every placeholder substituted, logging ALL
 * (with execution data) to its own log group, X-Ray tracing on. Its role may invoke exactly the
 * functions it names and start exactly itself.
 */
export class MaintenanceStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** Built from the name, so it is known before the state machine exists. */
  readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: MaintenanceStateMachineProps) {
    // Checked before the construct joins the tree: a refused definition leaves nothing behind.
    const definition = readFileSync(props.definitionFile, 'utf8');
    checkSubstitutions(props.definitionFile, definition, Object.keys(props.taskFunctions));
    // The health gate's continue-as-new budget assumes these figures: a costlier definition could
    // outgrow Step Functions' 25,000 history events before the gate hands over.
    checkDefinitionCosts(props.definitionFile, historyCosts(JSON.parse(definition) as AslDefinition));
    super(scope, id);

    this.stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps CloudWatch Logs' resource policy from growing with every machine.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `lowtide state machine ${props.stateMachineName}`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeOwnFunctions',
        actions: ['lambda:InvokeFunction'],
        // Unqualified ARNs only: the definition calls $LATEST, never a version or alias.
        resources: Object.values(props.taskFunctions).map((fn) => fn.functionArn),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ContinueAsNew',
        actions: ['states:StartExecution'],
        resources: [this.stateMachineArn],
      }),
    );

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(props.taskFunctions).map(([name, fn]) => [name, fn.functionArn]),
      ),
      role,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Resource "*" only where the services allow nothing narrower: X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* ' +
        'for tracing, and the CloudWatch Logs log-delivery actions (Create/Get/Update/Delete/ListLogDeliveries, ' +
        'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) Step Functions needs to log executions.',
    );
  }

  /** Start executions (the console's "Start execution", the CLI, a scheduler). */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Start, stop and inspect executions: what an operator does from the console or the CLI. */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    this.stateMachine.grantStartExecution(grantee);
    this.stateMachine.grantRead(grantee);
    return this.stateMachine.grantExecution(grantee, 'states:StopExecution');
  }
}
