import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FleetStateMachine } from '../../infra/constructs/fleet-state-machine';
import { REPO_ROOT } from '../../infra/paths';
import { nagFindings } from '../infra/support/nag';

const DEFINITION = path.join(REPO_ROOT, 'statemachines/fleet-job.asl.json');

function synthFleet(env = true) {
  const app = new App();
  const stack = new Stack(
    app,
    'FleetTest',
    env ? { env: { account: '123456789012', region: 'eu-west-1' } } : {},
  );
  const fleet = new FleetStateMachine(stack, 'Fleet', {
    definitionFile: DEFINITION,
    stateMachineName: 'lowtide-fleet-job',
    maintenanceStateMachineName: 'lowtide-maintenance-job',
  });
  return { stack, fleet, template: Template.fromStack(stack) };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

describe('the fleet state machine construct', () => {
  it('deploys the fleet definition with both placeholders substituted, logging ALL and tracing', () => {
    const { template } = synthFleet();
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as {
      Properties: Record<string, unknown>;
    }[];
    const props = machine!.Properties;
    expect(props.StateMachineName).toBe('lowtide-fleet-job');
    expect(Object.keys(props.DefinitionSubstitutions as object).sort()).toEqual([
      'MaintenanceExecutionArnPrefix',
      'MaintenanceStateMachineArn',
    ]);
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    const definition = JSON.stringify(props.DefinitionString);
    expect(definition).toContain('states:startExecution.sync:2');
    expect(definition).toContain('ToleratedFailurePercentagePath');
  });

  it('lets its role start and follow member runs of the maintenance machine only, and its own Map children', () => {
    const { template } = synthFleet();
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: Statement[] } };
    }[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid!, s]));
    const text = (s: Statement | undefined) => JSON.stringify(s?.Resource);
    expect(bySid.StartMemberRuns?.Action).toBe('states:StartExecution');
    expect(text(bySid.StartMemberRuns)).toContain(':stateMachine:lowtide-maintenance-job');
    expect(bySid.FollowMemberRuns?.Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(text(bySid.FollowMemberRuns)).toContain(':execution:lowtide-maintenance-job:*');
    expect(text(bySid.SyncExecutionEvents)).toContain(
      'rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
    );
    expect(text(bySid.DistributedMapChildren)).toContain(':stateMachine:lowtide-fleet-job');
    expect(text(bySid.DistributedMapChildExecutions)).toContain(':execution:lowtide-fleet-job:*');
    // Nothing on "*" but the tracing and log-delivery actions CDK adds for every state machine.
    const wildcard = statements
      .filter((s) => s.Resource === '*')
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(wildcard.every((a) => a.startsWith('xray:') || a.startsWith('logs:'))).toBe(true);
  });

  it('passes cdk-nag’s AwsSolutions checks, every acknowledgement justified', () => {
    for (const env of [true, false]) expect(nagFindings(synthFleet(env).stack)).toEqual([]);
  });
});
