import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetStateMachine } from '../../infra/constructs/fleet-state-machine';
import { REPO_ROOT } from '../../infra/paths';
import { parseConfig } from '../../src/config';
import { defineJob } from '../../src/job/define-job';
import { nagFindings } from '../infra/support/nag';
import { resourcesOfType, type Synthesized, synthesize } from '../infra/support/synth';
import { PRIMARY_SECRET } from '../support/deployment-fixtures';

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
    controlTable: new dynamodb.Table(stack, 'Control', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    }),
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
      'ControlTableName',
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
    // The roster step: one PutItem on the control table, on job partitions only.
    expect(bySid.RecordFleetRoster?.Action).toBe('dynamodb:PutItem');
    expect(text(bySid.RecordFleetRoster)).toContain('Control');
    expect((bySid.RecordFleetRoster as { Condition?: unknown }).Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOB#*'] },
    });
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

describe('a deployment with a job on a connection group', () => {
  const shard = (host: string) => ({
    engine: 'postgres' as const,
    host,
    database: 'orders',
    auth: { secretArn: PRIMARY_SECRET },
  });
  const job = defineJob({
    id: 'orders-fix',
    owner: 'data',
    engine: 'postgres',
    database: 'shards',
    table: 'orders',
    key: 'id',
    kind: 'update',
    where: 'status IS NULL',
    set: { status: "'open'" },
    fleet: { maxConcurrency: 4, toleratedFailurePercentage: 10 },
  });
  const config = parseConfig({
    connections: { 'shard-1': shard('db1.internal'), 'shard-2': shard('db2.internal') },
    connectionGroups: { shards: ['shard-1', 'shard-2'] },
    jobs: [{ job, schedule: { cron: '0 2 * * ? *', timeZone: 'Europe/Berlin', durationMinutes: 120 } }],
  });
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(config, { bundle: false });
  }, 240_000);
  afterAll(() => synth?.cleanup());

  it('deploys the fleet state machine beside the per-run one, and schedules the job on it with its members', () => {
    const machines = resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine').map(
      ([, r]) => r.Properties.StateMachineName,
    );
    expect(machines.sort()).toEqual(['lowtide-fleet-job', 'lowtide-maintenance-job']);
    const schedules = resourcesOfType(synth.template, 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]![1];
    const target = schedule.Properties.Target;
    expect(JSON.stringify(target.Arn)).toContain('FleetStateMachine');
    const input = JSON.parse(target.Input);
    expect(input).toMatchObject({
      jobId: 'orders-fix',
      group: 'shards',
      roster: [
        {
          name: 'shard-1',
          runId: 'orders-fix_shard-1',
          engine: 'postgres',
          where: 'db1.internal:5432/orders',
        },
        {
          name: 'shard-2',
          runId: 'orders-fix_shard-2',
          engine: 'postgres',
          where: 'db2.internal:5432/orders',
        },
      ],
      members: [
        { member: 'shard-1', runId: 'orders-fix_shard-1' },
        { member: 'shard-2', runId: 'orders-fix_shard-2' },
      ],
      maxConcurrency: 4,
      toleratedFailurePercentage: 10,
      window: { durationMinutes: 120 },
    });
  });

  it('notifies once per fleet transition from the fleet machine’s own executions, and stays cdk-nag clean', () => {
    const rules = resourcesOfType(synth.template, 'AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('FleetStateMachine'),
    );
    expect(rules).toHaveLength(1);
    const pattern = rules[0]![1].Properties.EventPattern;
    expect(pattern.detail.status).toEqual(['RUNNING', 'SUCCEEDED', 'ABORTED', 'FAILED', 'TIMED_OUT']);
    const [target] = rules[0]![1].Properties.Targets;
    expect(JSON.stringify(target.Arn)).toContain('NotificationsTopic');
    expect(target.InputTransformer.InputTemplate).toContain('lowtide fleet');
    expect(target.DeadLetterConfig).toBeDefined();
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('graphs fleet progress on the job’s dashboard: each member run’s rows and the fleet total', () => {
    const [dashboard] = resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard![1].Properties.DashboardBody);
    expect(body).toContain('Fleet progress: rows per member');
    for (const runId of ['orders-fix_shard-1', 'orders-fix_shard-2']) expect(body).toContain(runId);
    expect(body).toContain('SUM([m0,m1])');
    expect(body).toContain('fleet total');
  });
});
