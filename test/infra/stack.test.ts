import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aslPlaceholders } from '../../infra/asl';
import { bundleAliases } from '../../infra/bundling/bundling-options';
import { CONTROL_TABLE_KEYS } from '../../infra/constructs/control-table';
import { bundlingOptions } from '../../infra/constructs/lowtide-functions';
import { FUNCTION_NAMES, FUNCTION_SPECS, type LowtideFunctionName } from '../../infra/function-catalog';
import { REPO_ROOT } from '../../infra/paths';
import exampleConfig from '../../lowtide.config';
import { CONTROL_TABLE_PARTITION_KEY, CONTROL_TABLE_SORT_KEY } from '../../src/control/table';
import { acknowledgements, nagFindings } from './support/nag';
import {
  allStatements,
  asList,
  type CfnResource,
  readAsset,
  resourceById,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from './support/synth';

/**
 * Why a statement may name Resource "*": each action allowed on "*" must be listed here with the
 * reason AWS gives nothing narrower. Anything else on "*" fails the test.
 */
const WILDCARD_RESOURCE_JUSTIFIED: Record<string, string> = {
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingRules': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingTargets': 'X-Ray has no resource-level permissions',
  'ec2:CreateNetworkInterface': 'Lambda VPC attachment; checked on "*" at function creation',
  'ec2:DescribeNetworkInterfaces': 'EC2 Describe* cannot be scoped',
  'ec2:DescribeSubnets': 'EC2 Describe* cannot be scoped',
  'ec2:DeleteNetworkInterface': 'Lambda VPC attachment; checked on "*" at function creation',
  'ec2:AssignPrivateIpAddresses': 'Lambda VPC attachment; checked on "*" at function creation',
  'ec2:UnassignPrivateIpAddresses': 'Lambda VPC attachment; checked on "*" at function creation',
  'cloudwatch:DescribeAlarms': 'read-only; composite alarms are only returned with "*"',
  'logs:CreateLogDelivery': 'Step Functions log delivery has no resource-level permissions',
  'logs:GetLogDelivery': 'Step Functions log delivery has no resource-level permissions',
  'logs:UpdateLogDelivery': 'Step Functions log delivery has no resource-level permissions',
  'logs:DeleteLogDelivery': 'Step Functions log delivery has no resource-level permissions',
  'logs:ListLogDeliveries': 'Step Functions log delivery has no resource-level permissions',
  'logs:PutResourcePolicy': 'Step Functions log delivery has no resource-level permissions',
  'logs:DescribeResourcePolicies': 'Step Functions log delivery has no resource-level permissions',
  'logs:DescribeLogGroups': 'Step Functions log delivery has no resource-level permissions',
};

const DATABASE_FUNCTIONS = FUNCTION_NAMES.filter((n) => FUNCTION_SPECS[n].touchesDatabase);
const OTHER_FUNCTIONS = FUNCTION_NAMES.filter((n) => !FUNCTION_SPECS[n].touchesDatabase);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/orders-AbCdEf';

let synth: Synthesized;

beforeAll(() => {
  // One synth with real esbuild bundling of all ten functions, shared by every test below.
  synth = synthesize(exampleConfig);
}, 300_000);

afterAll(() => synth?.cleanup());

function fnId(name: LowtideFunctionName): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}Function`;
}

function lambda(name: LowtideFunctionName): [string, CfnResource] {
  return resourceById(synth.template, new RegExp(`^LowtideFunctions${fnId(name)}[0-9A-F]{8}$`));
}

function rolePolicyStatements(name: LowtideFunctionName) {
  const [, policy] = resourceById(
    synth.template,
    new RegExp(`^LowtideFunctions${fnId(name)}RoleDefaultPolicy[0-9A-F]{8}$`),
  );
  return asList(policy.Properties.PolicyDocument.Statement) as Array<{
    Action: string | string[];
    Resource: unknown;
  }>;
}

function actionsOf(statements: Array<{ Action: string | string[] }>): string[] {
  return statements.flatMap((s) => asList(s.Action));
}

describe('cdk-nag AwsSolutions', () => {
  it('runs in the synth and leaves no unacknowledged finding', () => {
    // synthesize() would have thrown on a finding; this reads the same rules back explicitly.
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('every acknowledgement names an exact finding, says why, and suppresses a real finding', () => {
    const all = acknowledgements(synth.app);
    const acks = all.filter((a) => a.id.startsWith('AwsSolutions-'));
    const raw = nagFindings(synth.app, { ignoreAcknowledgements: true });
    expect(acks.length).toBeGreaterThan(0);
    // The only other acknowledgement: CDK's warning about imported subnets without route tables.
    expect(all.filter((a) => !acks.includes(a)).map((a) => a.id)).toEqual([
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
    ]);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
      if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id).toMatch(/\[(Resource|Action)::[^\]]+\]$/);
      expect(ack.reason.length).toBeGreaterThan(60);
      const matched = raw.some(
        (f) => f.rule === ack.id && f.paths.some((p) => p === ack.path || p.startsWith(`${ack.path}/`)),
      );
      expect(matched, `stale acknowledgement ${ack.id} on ${ack.path}`).toBe(true);
    }
  });
});

describe('Lambda functions', () => {
  it('are the ten of the contract: ARM64, the latest Node.js runtime CDK knows, tracing on', () => {
    const latestNode = Runtime.ALL.filter((r) => r.name.startsWith('nodejs'))
      .map((r) => r.name)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .pop();
    expect(resourcesOfType(synth.template, 'AWS::Lambda::Function')).toHaveLength(10);
    for (const name of FUNCTION_NAMES) {
      const [, fn] = lambda(name);
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: latestNode,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('get the control table and the Powertools settings, and no credential', () => {
    for (const name of FUNCTION_NAMES) {
      const env = lambda(name)[1].Properties.Environment.Variables as Record<string, unknown>;
      expect(env.LOWTIDE_CONTROL_TABLE).toEqual({
        Ref: resourceById(synth.template, /^LowtideControlTable[0-9A-F]{8}$/)[0],
      });
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('lowtide');
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('lowtide');
      // The connections come from the bundled config, not from the 4 KB environment.
      expect(env.LOWTIDE_CONNECTIONS).toBeUndefined();
      expect(JSON.stringify(env)).not.toMatch(/password/i);
    }
  });

  it('the database-touching functions trust the RDS certificate authorities (Node.js 20+ runtimes do not by default)', () => {
    for (const name of DATABASE_FUNCTIONS) {
      expect(lambda(name)[1].Properties.Environment.Variables.NODE_EXTRA_CA_CERTS).toBe(
        '/var/runtime/ca-cert.pem',
      );
    }
    for (const name of OTHER_FUNCTIONS) {
      expect(lambda(name)[1].Properties.Environment.Variables.NODE_EXTRA_CA_CERTS).toBeUndefined();
    }
  });

  it('only the database-touching functions run in the VPC, in the configured subnets', () => {
    for (const name of DATABASE_FUNCTIONS) {
      expect(lambda(name)[1].Properties.VpcConfig.SubnetIds).toEqual(exampleConfig.network!.subnetIds);
    }
    for (const name of OTHER_FUNCTIONS) expect(lambda(name)[1].Properties.VpcConfig).toBeUndefined();
    expect(DATABASE_FUNCTIONS.sort()).toEqual([
      'applyBatch',
      'finalize',
      'healthGate',
      'preflight',
      'verifyBatch',
    ]);
  });

  it('only the database-touching functions may read the secret or sign IAM database tokens', () => {
    for (const name of DATABASE_FUNCTIONS) {
      const statements = rolePolicyStatements(name);
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }),
      );
      const connect = statements.find((s) => s.Action === 'rds-db:connect');
      expect(JSON.stringify(connect?.Resource)).toContain(':dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY1/lowtide');
    }
    for (const name of OTHER_FUNCTIONS) {
      const actions = actionsOf(rolePolicyStatements(name));
      expect(actions).not.toContain('secretsmanager:GetSecretValue');
      expect(actions).not.toContain('rds-db:connect');
    }
  });

  it('write logs only to their own log group, and only the health gate reads alarms', () => {
    for (const name of FUNCTION_NAMES) {
      const statements = rolePolicyStatements(name);
      const logs = statements.find((s) => actionsOf([s]).includes('logs:PutLogEvents'))!;
      const logGroupRef = lambda(name)[1].Properties.LoggingConfig.LogGroup.Ref;
      expect(logs.Resource).toEqual({ 'Fn::GetAtt': [logGroupRef, 'Arn'] });
      expect(actionsOf(statements).includes('cloudwatch:DescribeAlarms')).toBe(name === 'healthGate');
    }
  });

  it('are bundled by esbuild as ESM with a working require, from the functions/ entry points', () => {
    for (const name of FUNCTION_NAMES) {
      const key = lambda(name)[1].Properties.Code.S3Key as string;
      const code = readAsset(synth.outdir, key, 'index.mjs');
      expect(code.startsWith("import { createRequire as lowtideCreateRequire } from 'node:module';")).toBe(
        true,
      );
      const map = JSON.parse(readAsset(synth.outdir, key, 'index.mjs.map')) as { sources: string[] };
      expect(map.sources.some((s) => s.endsWith(`functions/${FUNCTION_SPECS[name].file}.ts`))).toBe(true);
    }
  });
});

describe('bundling resolves the deployment config and `lowtide` to this repository', () => {
  it('bundles ../lowtide.config from functions/ with its jobs and the source of lowtide, and the bundle runs', async () => {
    const options = bundlingOptions(REPO_ROOT);
    const result = await esbuild.build({
      stdin: {
        contents:
          "import config from '../lowtide.config'; export const jobIds = config.jobs.map((e) => e.job.id);",
        resolveDir: path.join(REPO_ROOT, 'functions'),
        sourcefile: 'probe.ts',
        loader: 'ts',
      },
      absWorkingDir: REPO_ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: options.target,
      mainFields: options.mainFields,
      banner: { js: options.banner! },
      external: options.externalModules,
      alias: bundleAliases(REPO_ROOT, path.join(REPO_ROOT, 'lowtide.config.ts')),
      metafile: true,
      write: false,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toEqual(
      expect.arrayContaining([
        'lowtide.config.ts',
        'examples/jobs/backfill-account-tier.ts',
        'examples/jobs/purge-expired-sessions.ts',
        'src/index.ts',
        'src/job/define-job.ts',
        'src/config/define-config.ts',
      ]),
    );
    // `lowtide` resolved to this checkout's source, not to some installed copy or to dist/.
    expect(inputs.filter((i) => i.includes('node_modules/lowtide') || i.startsWith('dist/'))).toEqual([]);
    const file = path.join(synth.outdir, 'probe.mjs');
    writeFileSync(file, result.outputFiles[0]!.text);
    const probe = (await import(pathToFileURL(file).href)) as { jobIds: string[] };
    expect(probe.jobIds).toEqual(['backfill-account-tier', 'purge-expired-sessions']);
  });
});

describe('control table', () => {
  it('has point-in-time recovery, encryption, on-demand billing and the control store keys', () => {
    expect(CONTROL_TABLE_KEYS).toEqual({
      partitionKey: CONTROL_TABLE_PARTITION_KEY,
      sortKey: CONTROL_TABLE_SORT_KEY,
    });
    const [, table] = resourceById(synth.template, /^LowtideControlTable[0-9A-F]{8}$/);
    expect(table.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect((table as CfnResource & { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    for (const name of FUNCTION_NAMES)
      expect(actionsOf(rolePolicyStatements(name))).toContain('dynamodb:UpdateItem');
  });
});

describe('state machine', () => {
  const machine = () => resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine');

  it('is the ASL file with every placeholder substituted by its own function', () => {
    expect(machine()).toHaveLength(1);
    const [, sm] = machine()[0]!;
    const definition = sm.Properties.DefinitionString as string;
    expect(typeof definition).toBe('string');
    JSON.parse(definition);
    const substitutions = sm.Properties.DefinitionSubstitutions as Record<string, unknown>;
    // No `${...}` survives: each one has a substitution, and each substitution is used.
    expect(aslPlaceholders(definition)).toEqual(Object.keys(substitutions).sort());
    for (const name of FUNCTION_NAMES) {
      const sub = FUNCTION_SPECS[name].substitution;
      if (sub) expect(substitutions[sub]).toEqual({ 'Fn::GetAtt': [lambda(name)[0], 'Arn'] });
    }
  });

  it('logs ALL with execution data to its log group and traces with X-Ray', () => {
    const [, sm] = machine()[0]!;
    const [logGroupId, logGroup] = resourceById(synth.template, /^LowtideStateMachineLogs[0-9A-F]{8}$/);
    expect(sm.Properties).toMatchObject({
      StateMachineName: 'lowtide-maintenance-job',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      },
    });
    expect(logGroup.Properties.LogGroupName).toBe('/aws/vendedlogs/states/lowtide-maintenance-job');
  });

  it('may invoke only its own eight functions and start only itself', () => {
    const [, policy] = resourceById(synth.template, /^LowtideStateMachineRoleDefaultPolicy[0-9A-F]{8}$/);
    const statements = asList(policy.Properties.PolicyDocument.Statement) as Array<{
      Action: string;
      Resource: unknown;
    }>;
    const invoke = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.Action).toBe('lambda:InvokeFunction');
    const expected = FUNCTION_NAMES.filter((n) => FUNCTION_SPECS[n].substitution).map((n) => ({
      'Fn::GetAtt': [lambda(n)[0], 'Arn'],
    }));
    expect(invoke[0]!.Resource).toEqual(expected);
    const start = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('states:')));
    expect(start).toHaveLength(1);
    expect(start[0]!.Action).toBe('states:StartExecution');
    const arn = JSON.stringify(start[0]!.Resource);
    expect(arn).toContain(':states:');
    expect(arn).toMatch(/:stateMachine:lowtide-maintenance-job"\]\]\}$/);
  });
});

describe('IAM', () => {
  it('no statement allows Action "*", and no identity policy uses a wildcard action', () => {
    for (const { id, type, statement } of allStatements(synth.template)) {
      const actions = asList(statement.Action);
      expect(actions, id).not.toContain('*');
      if (type === 'AWS::IAM::Policy') for (const action of actions) expect(action, id).not.toContain('*');
    }
  });

  it('every Resource "*" in an identity policy is one of the justified actions', () => {
    const wildcard = allStatements(synth.template).filter(
      (s) =>
        s.type === 'AWS::IAM::Policy' &&
        s.statement.Effect === 'Allow' &&
        asList(s.statement.Resource).includes('*'),
    );
    expect(wildcard.length).toBeGreaterThan(0);
    for (const { id, statement } of wildcard) {
      for (const action of asList(statement.Action)) {
        expect(
          WILDCARD_RESOURCE_JUSTIFIED[action],
          `${id}: ${action} on "*" has no justification`,
        ).toBeDefined();
      }
    }
  });

  it('resource policies with Resource "*" are key policies, where "*" means the key itself', () => {
    const wildcard = allStatements(synth.template).filter(
      (s) =>
        s.type !== 'AWS::IAM::Policy' &&
        s.statement.Effect === 'Allow' &&
        asList(s.statement.Resource).includes('*'),
    );
    for (const { type } of wildcard) expect(type).toBe('AWS::KMS::Key');
  });
});

describe('schedules', () => {
  const schedules = () => resourcesOfType(synth.template, 'AWS::Scheduler::Schedule');

  it('start each scheduled job by cron in its time zone, in a flexible window, with the job and window as input', () => {
    expect(schedules()).toHaveLength(2);
    const byName = Object.fromEntries(schedules().map(([, s]) => [s.Properties.Name, s.Properties]));
    const backfill = byName['backfill-account-tier']!;
    expect(backfill).toMatchObject({
      GroupName: 'lowtide',
      ScheduleExpression: 'cron(0 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      State: 'ENABLED',
    });
    expect(JSON.parse(backfill.Target.Input)).toEqual({
      jobId: 'backfill-account-tier',
      window: { scheduledAt: '<aws.scheduler.scheduled-time>', durationMinutes: 300 },
    });
    expect(JSON.parse(byName['purge-expired-sessions']!.Target.Input)).toMatchObject({
      jobId: 'purge-expired-sessions',
      window: { durationMinutes: 25 },
    });
  });

  it('retry little, then dead-letter to an SSL-only queue; their role may only start the state machine', () => {
    const [queueId] = resourceById(synth.template, /^LowtideDeadLetterQueue[0-9A-F]{8}$/);
    const [smId] = resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine')[0]!;
    for (const [, schedule] of schedules()) {
      const target = schedule.Properties.Target;
      expect(target.Arn).toEqual({ Ref: smId });
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeLessThanOrEqual(3);
      expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
      const roleId = target.RoleArn['Fn::GetAtt'][0] as string;
      const policy = resourcesOfType(synth.template, 'AWS::IAM::Policy').find(([, p]) =>
        asList<{ Ref?: string }>(p.Properties.Roles).some((r) => r.Ref === roleId),
      )![1];
      expect(asList(policy.Properties.PolicyDocument.Statement)).toEqual([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: smId } },
        { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      ]);
    }
    const queuePolicy = resourcesOfType(synth.template, 'AWS::SQS::QueuePolicy')[0]![1];
    expect(asList(queuePolicy.Properties.PolicyDocument.Statement)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('alarms and control events', () => {
  it('alarm on replica lag per connection: Aurora AuroraReplicaLag in ms, RDS ReplicaLag in s, missing data breaching', () => {
    const alarms = Object.fromEntries(
      resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm').map(([, a]) => [
        a.Properties.AlarmName,
        a.Properties,
      ]),
    );
    expect(alarms['lowtide-primary-replica-lag']).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: 'AuroraReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-reader-1' }],
      Threshold: 5000, // the backfill's maxReplicaLagSeconds, 5 s, in milliseconds
      TreatMissingData: 'breaching',
    });
    expect(alarms['lowtide-sessions-replica-lag']).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'sessions-replica-1' }],
      Threshold: 10,
      TreatMissingData: 'breaching',
    });
  });

  it("send the state changes of the lag alarms and the jobs' own alarms to on-alarm", () => {
    const [, rule] = resourceById(synth.template, /^LowtideControlEventsAlarmStateChange[0-9A-F]{8}$/);
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: {
        alarmName: ['lowtide-primary-replica-lag', 'lowtide-sessions-replica-lag', 'orders-db-cpu-high'],
      },
    });
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [lambda('onAlarm')[0], 'Arn'] });
  });

  it('send aborted, failed and timed-out executions of this state machine to on-execution-end', () => {
    const [smId] = resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine')[0]!;
    const [, rule] = resourceById(synth.template, /^LowtideControlEventsExecutionEnd[0-9A-F]{8}$/);
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: smId }], status: ['ABORTED', 'FAILED', 'TIMED_OUT'] },
    });
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [lambda('onExecutionEnd')[0], 'Arn'] });
  });
});

describe('notifications, dashboards and outputs', () => {
  it('an encrypted, SSL-only topic hears of paused, failed, aborted and completed runs', () => {
    const [topicId, topic] = resourceById(synth.template, /^LowtideNotificationsTopic[0-9A-F]{8}$/);
    const [keyId, key] = resourceById(synth.template, /^LowtideNotificationsKey[0-9A-F]{8}$/);
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const topicPolicy = resourcesOfType(synth.template, 'AWS::SNS::TopicPolicy')[0]![1];
    expect(asList(topicPolicy.Properties.PolicyDocument.Statement)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const rules = resourcesOfType(synth.template, 'AWS::Events::Rule').filter(([, r]) =>
      (r.Properties.Targets as Array<{ Arn?: { Ref?: string } }>).some((t) => t.Arn?.Ref === topicId),
    );
    const patterns = rules.map(([, r]) => r.Properties.EventPattern.detail);
    expect(patterns).toContainEqual(expect.objectContaining({ status: ['ABORTED', 'FAILED', 'TIMED_OUT'] }));
    expect(patterns).toContainEqual(
      expect.objectContaining({
        status: ['SUCCEEDED'],
        output: [
          { wildcard: '*"decision":"paused"*' },
          { wildcard: '*"decision":"aborted"*' },
          { wildcard: '*"decision":"completed"*' },
        ],
      }),
    );
    const subscriptions = resourcesOfType(synth.template, 'AWS::SNS::Subscription').map(
      ([, s]) => s.Properties,
    );
    expect(subscriptions).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'data-platform@example.com' }),
    ]);
  });

  it('a dashboard per job shows rows per second, batch duration, replica lag, status and lock timeouts', () => {
    const dashboards = resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard');
    expect(dashboards.map(([, d]) => d.Properties.DashboardName).sort()).toEqual([
      'lowtide-backfill-account-tier',
      'lowtide-purge-expired-sessions',
    ]);
    const body = JSON.stringify(
      dashboards.find(([, d]) => d.Properties.DashboardName === 'lowtide-backfill-account-tier')![1]
        .Properties.DashboardBody,
    );
    for (const text of [
      'Rows per second',
      'rows / PERIOD(rows)',
      'RowsApplied',
      'BatchDuration',
      'Application sessions blocked by lowtide',
      'BlockedSessions',
      'BlockedWait',
      'Transactions',
      'InvocationDuration',
      'Replica lag',
      'AuroraReplicaLag',
      'LockTimeouts',
      'alarm',
      'ExecutionsFailed',
      'backfill-account-tier',
    ]) {
      expect(body).toContain(text);
    }
  });

  it('outputs the state machine ARN, the control table, and the console and dashboard URLs', () => {
    const outputs = synth.template.Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'StateMachineArn',
        'StateMachineConsoleUrl',
        'ControlTableName',
        'NotificationTopicArn',
        'DashboardUrlBackfillAccountTier',
        'DashboardUrlPurgeExpiredSessions',
      ]),
    );
    expect(JSON.stringify(outputs.StateMachineConsoleUrl!.Value)).toContain(
      'console.aws.amazon.com/states/home',
    );
    expect(JSON.stringify(outputs.DashboardUrlBackfillAccountTier!.Value)).toContain(
      '#dashboards:name=lowtide-backfill-account-tier',
    );
  });
});

describe('network', () => {
  it('opens the database ports from the functions to the database security groups, and HTTPS out', () => {
    const [sgId, sg] = resourceById(synth.template, /^LowtideNetworkFunctionSecurityGroup[0-9A-F]{8}$/);
    expect(sg.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    const ingress = resourcesOfType(synth.template, 'AWS::EC2::SecurityGroupIngress').map(
      ([, r]) => r.Properties,
    );
    expect(ingress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          GroupId: 'sg-0a1b2c3d4e5f60718',
          FromPort: 5432,
          SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
        }),
        expect.objectContaining({
          GroupId: 'sg-0f1e2d3c4b5a69788',
          FromPort: 3306,
          SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
        }),
      ]),
    );
    expect(ingress).toHaveLength(2);
    expect(resourcesOfType(synth.template, 'AWS::EC2::VPC')).toEqual([]);
  });
});
