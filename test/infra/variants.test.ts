import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AslSubstitutionError } from '../../infra/asl';
import { buildApp } from '../../infra/build-app';
import { MaintenanceStateMachine } from '../../infra/constructs/maintenance-state-machine';
import { defineConfig } from '../../src/config';
import { defineJob } from '../../src/job/define-job';
import { acknowledgeTestRoles, nagFindings } from './support/nag';
import {
  asList,
  type CfnResource,
  type CfnStatement,
  type CfnTemplate,
  resourceById,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from './support/synth';

const backfill = defineJob({
  id: 'fill-region',
  owner: 'data',
  engine: 'postgres',
  database: 'main',
  table: 'orders',
  key: 'id',
  kind: 'update',
  set: { region: "'eu'" },
  where: 'region IS NULL',
});
const purge = defineJob({
  id: 'purge-carts',
  owner: 'shop',
  engine: 'mysql',
  database: 'shop',
  table: 'carts',
  key: 'id',
  kind: 'delete',
  where: 'updated_at < NOW() - INTERVAL 90 DAY',
});

/** No network (the stack creates the VPC), no alarms anywhere, one disabled schedule, one job without. */
const createdVpcConfig = defineConfig({
  name: 'lt-created',
  connections: {
    main: {
      engine: 'postgres',
      host: 'main.internal',
      database: 'app',
      auth: { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:main-Zx12Yw' },
    },
    shop: {
      engine: 'mysql',
      host: 'shop.internal',
      port: 3307,
      database: 'shop',
      auth: { iamUser: 'lowtide', resourceId: 'db-SHOP123' },
    },
  },
  jobs: [
    {
      job: backfill,
      schedule: { cron: '30 3 ? * SUN *', timeZone: 'America/New_York', durationMinutes: 90, enabled: false },
    },
    { job: purge },
  ],
});

/** An imported VPC with endpoints, the user's own function security group, a CMK secret, Aurora cluster lag. */
const importedVpcConfig = defineConfig({
  name: 'lt-imported',
  network: {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a'],
    subnetIds: ['subnet-0123456789abcdef0'],
    routeTableIds: ['rtb-0123456789abcdef0'],
    securityGroupIds: ['sg-0aaaaaaaaaaaaaaaa'],
    createEndpoints: true,
  },
  connections: {
    main: {
      engine: 'postgres',
      host: 'main.internal',
      database: 'app',
      auth: {
        secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:main-Zx12Yw',
        kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      securityGroupId: 'sg-0bbbbbbbbbbbbbbbb',
      lagAlarm: {
        service: 'aurora',
        clusterId: 'main',
        replicaInstanceIds: ['main-reader-1'],
        thresholdSeconds: 2,
      },
    },
  },
  jobs: [{ job: backfill }],
});

describe('a deployment without a network: the stack creates the VPC', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(createdVpcConfig, { bundle: false });
  }, 240_000);
  afterAll(() => synth?.cleanup());

  it('passes cdk-nag', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('has isolated subnets without NAT, flow logs, a DynamoDB gateway and Secrets Manager and CloudWatch endpoints', () => {
    const t = synth.template;
    expect(resourcesOfType(t, 'AWS::EC2::VPC')).toHaveLength(1);
    expect(resourcesOfType(t, 'AWS::EC2::NatGateway')).toEqual([]);
    expect(resourcesOfType(t, 'AWS::EC2::InternetGateway')).toEqual([]);
    expect(resourcesOfType(t, 'AWS::EC2::FlowLog')).toHaveLength(1);
    const endpoints = resourcesOfType(t, 'AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties);
    const services = endpoints.map(
      (e) => `${e.VpcEndpointType ?? 'Gateway'} ${JSON.stringify(e.ServiceName)}`,
    );
    expect(services).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Gateway .*dynamodb/),
        expect.stringMatching(/^Interface .*secretsmanager/),
        expect.stringMatching(/^Interface .*monitoring/),
      ]),
    );
    expect(endpoints).toHaveLength(3);
  });

  it('opens the interface endpoints to the functions only, and the functions to the database ports', () => {
    const t = synth.template;
    const [fnSgId, fnSg] = resourceById(t, /^LowtideNetworkFunctionSecurityGroup[0-9A-F]{8}$/);
    const endpointSgs = resourcesOfType(t, 'AWS::EC2::SecurityGroup').filter(([id]) => id !== fnSgId);
    expect(endpointSgs).toHaveLength(2);
    for (const [, sg] of endpointSgs) expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = resourcesOfType(t, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(ingress).toHaveLength(2);
    for (const rule of ingress) {
      expect(rule).toMatchObject({
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [fnSgId, 'GroupId'] },
      });
    }
    const egressPorts = (fnSg.Properties.SecurityGroupEgress as Array<{ FromPort: number }>)
      .map((e) => e.FromPort)
      .sort();
    expect(egressPorts).toEqual([3307, 443, 5432].sort());
  });

  it('puts the database functions into the created isolated subnets', () => {
    const t = synth.template;
    const subnetIds = resourcesOfType(t, 'AWS::EC2::Subnet').map(([id]) => id);
    const inVpc = resourcesOfType(t, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.VpcConfig);
    expect(inVpc).toHaveLength(5);
    for (const [, fn] of inVpc) {
      expect(fn.Properties.VpcConfig.SubnetIds.map((s: { Ref: string }) => s.Ref).sort()).toEqual(
        subnetIds.sort(),
      );
    }
  });

  it('without any alarm there is no alarm rule and no alarm, but executions still end into on-execution-end', () => {
    const t = synth.template;
    expect(resourcesOfType(t, 'AWS::CloudWatch::Alarm')).toEqual([]);
    const patterns = resourcesOfType(t, 'AWS::Events::Rule').map(
      ([, r]) => r.Properties.EventPattern.source[0],
    );
    expect(patterns).not.toContain('aws.cloudwatch');
    expect(patterns.filter((s: string) => s === 'aws.states')).toHaveLength(3);
  });

  it('deploys a disabled schedule as DISABLED and none for a job without one; every job gets a dashboard', () => {
    const t = synth.template;
    const schedules = resourcesOfType(t, 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    expect(schedules[0]![1].Properties).toMatchObject({
      Name: 'fill-region',
      GroupName: 'lt-created',
      State: 'DISABLED',
      ScheduleExpression: 'cron(30 3 ? * SUN *)',
      ScheduleExpressionTimezone: 'America/New_York',
    });
    const dashboards = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
    expect(dashboards.map(([, d]) => d.Properties.DashboardName).sort()).toEqual([
      'lt-created-fill-region',
      'lt-created-purge-carts',
    ]);
    const purgeBody = JSON.stringify(
      dashboards.find(([, d]) => d.Properties.DashboardName === 'lt-created-purge-carts')![1],
    );
    expect(purgeBody).toContain('No schedule: started by hand.');
    expect(purgeBody).toContain('no alarm gates this job');
  });
});

describe('an imported VPC with endpoints, own security groups, a CMK-encrypted secret and Aurora cluster lag', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(importedVpcConfig, { bundle: false });
  }, 240_000);
  afterAll(() => synth?.cleanup());

  it('passes cdk-nag', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it("runs the database functions with the user's security group and opens the database to it", () => {
    const t = synth.template;
    const inVpc = resourcesOfType(t, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.VpcConfig);
    for (const [, fn] of inVpc) {
      expect(fn.Properties.VpcConfig).toEqual({
        SecurityGroupIds: ['sg-0aaaaaaaaaaaaaaaa'],
        SubnetIds: ['subnet-0123456789abcdef0'],
      });
    }
    const ingress = resourcesOfType(t, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(ingress).toContainEqual(
      expect.objectContaining({
        GroupId: 'sg-0bbbbbbbbbbbbbbbb',
        FromPort: 5432,
        SourceSecurityGroupId: 'sg-0aaaaaaaaaaaaaaaa',
      }),
    );
    const gateway = resourcesOfType(t, 'AWS::EC2::VPCEndpoint').find(
      ([, e]) => (e.Properties.VpcEndpointType ?? 'Gateway') === 'Gateway',
    )![1];
    expect(gateway.Properties.RouteTableIds).toEqual(['rtb-0123456789abcdef0']);
  });

  it('lets the database functions decrypt the secret through Secrets Manager only', () => {
    const policies = resourcesOfType(synth.template, 'AWS::IAM::Policy').filter(([id]) =>
      /^LowtideFunctions/.test(id),
    );
    const decrypting = policies.filter(([, p]) =>
      asList<CfnStatement>(p.Properties.PolicyDocument.Statement).some((s) => s.Action === 'kms:Decrypt'),
    );
    expect(decrypting).toHaveLength(5);
    for (const [, p] of decrypting) {
      const statement = asList<CfnStatement>(p.Properties.PolicyDocument.Statement).find(
        (s) => s.Action === 'kms:Decrypt',
      )!;
      expect(statement.Resource).toBe(
        'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      );
      expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
    }
  });

  it('alarms on the worst of the cluster maximum and the reader lag, in milliseconds', () => {
    const alarm = resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm')[0]![1] as CfnResource;
    expect(alarm.Properties.AlarmName).toBe('lt-imported-main-replica-lag');
    expect(alarm.Properties.Threshold).toBe(2000);
    const metrics = alarm.Properties.Metrics as Array<{
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }>;
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('MAX([m0, m1])');
    expect(metrics.flatMap((m) => m.MetricStat?.Metric.MetricName ?? []).sort()).toEqual([
      'AuroraReplicaLag',
      'AuroraReplicaLagMaximum',
    ]);
  });
});

describe('guards', () => {
  it('the app runs cdk-nag in the synth: an unacknowledged finding fails it', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lowtide-cdk-'));
    try {
      const { app, stack } = buildApp(createdVpcConfig, {
        app: { outdir, context: { 'aws:cdk:bundling-stacks': [] } },
      });
      new sqs.Queue(stack, 'UncheckedQueue');
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('grantOperate lets an operator start, stop and read executions and write pause requests; grantReadStatus only reads', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lowtide-cdk-'));
    try {
      const { app, stack } = buildApp(createdVpcConfig, {
        app: { outdir, context: { 'aws:cdk:bundling-stacks': [] } },
      });
      const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
      const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() });
      stack.lowtide.grantOperate(operator);
      stack.lowtide.grantReadStatus(viewer);
      acknowledgeTestRoles(operator, viewer);
      const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
      const actionsOf = (roleId: RegExp) =>
        resourcesOfType(template, 'AWS::IAM::Policy')
          .filter(([id]) => roleId.test(id))
          .flatMap(([, p]) => asList<CfnStatement>(p.Properties.PolicyDocument.Statement))
          .flatMap((s) => asList(s.Action));
      const operatorActions = actionsOf(/^OperatorDefaultPolicy/);
      expect(operatorActions).toEqual(
        expect.arrayContaining([
          'states:StartExecution',
          'states:StopExecution',
          'states:DescribeExecution',
          'dynamodb:UpdateItem',
        ]),
      );
      const viewerActions = actionsOf(/^ViewerDefaultPolicy/);
      expect(viewerActions).toContain('dynamodb:GetItem');
      expect(viewerActions.filter((a) => /Put|Update|Delete|Write|Start|Stop/.test(a))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('a definition with a placeholder the app does not provide is refused at synth, naming it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lowtide-asl-'));
    try {
      const file = path.join(dir, 'machine.asl.json');
      writeFileSync(
        file,
        JSON.stringify({
          StartAt: 'A',
          States: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: ASL definition substitutions are literal ${...} text
            A: { Type: 'Task', Resource: '${PreflightFunctionArn}', Next: 'B' },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: ASL definition substitutions are literal ${...} text
            B: { Type: 'Task', Resource: '${RenamedFunctionArn}', End: true },
          },
        }),
      );
      const stack = new Stack(new App(), 'S');
      const fn = new lambda.Function(stack, 'F', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      });
      const build = () =>
        new MaintenanceStateMachine(stack, 'M', {
          definitionFile: file,
          stateMachineName: 'm',
          taskFunctions: { PreflightFunctionArn: fn, ApplyBatchFunctionArn: fn },
        });
      const error = (() => {
        try {
          build();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(AslSubstitutionError);
      expect((error as Error).message).toMatch(
        /\$\{RenamedFunctionArn\}.*does not use ApplyBatchFunctionArn/,
      );
      // Refused before anything was added to the stack.
      expect(stack.node.tryFindChild('M')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
