import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type LowtideFunctionName } from '../../infra/function-catalog';
import { defineConfig } from '../../src/config';
import { defineJob } from '../../src/job/define-job';
import { nagFindings } from './support/nag';
import { asList, resourceById, resourcesOfType, type Synthesized, synthesize } from './support/synth';

const killSwitch = {
  application: 'ops1234',
  environment: 'prod123',
  profile: 'flags12',
  flag: 'maintenance',
};
const ownFlag = { application: 'app1234', environment: 'prod123', profile: 'jobs123', flag: 'fill_region' };

const config = defineConfig({
  name: 'lt-flags',
  featureFlag: killSwitch,
  connections: {
    main: {
      engine: 'postgres',
      host: 'main.internal',
      database: 'app',
      auth: { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:main-Zx12Yw' },
      storage: { instanceId: 'main-writer' },
    },
  },
  jobs: [
    {
      job: defineJob({
        id: 'fill-region',
        owner: 'data',
        engine: 'postgres',
        database: 'main',
        table: 'orders',
        key: 'id',
        kind: 'update',
        set: { region: "'eu'" },
        where: 'region IS NULL',
        health: { featureFlag: ownFlag },
      }),
    },
  ],
});

function fnId(name: LowtideFunctionName): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}Function`;
}

describe('a deployment gated by feature flags, with an RDS instance to read free storage from', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(config, { bundle: false });
  }, 240_000);
  afterAll(() => synth?.cleanup());

  function statements(name: LowtideFunctionName) {
    const [, policy] = resourceById(
      synth.template,
      new RegExp(`^LowtideFunctions${fnId(name)}RoleDefaultPolicy[0-9A-F]{8}$`),
    );
    return asList(policy.Properties.PolicyDocument.Statement) as Array<{
      Action: string | string[];
      Resource: unknown;
    }>;
  }

  /** A formatArn of the stack, as CloudFormation carries it, with the placeholders joined back. */
  function arnText(resource: unknown): string {
    const join = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return join[1]
      .map((part) =>
        typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref.replace('AWS::', '')}>`,
      )
      .join(join[0]);
  }

  it('lets only preflight and the health gate read the flags, on the two configuration profiles', () => {
    for (const name of FUNCTION_NAMES) {
      const flagStatements = statements(name).filter((s) =>
        asList(s.Action).some((a) => a.startsWith('appconfig:')),
      );
      if (name !== 'preflight' && name !== 'healthGate') {
        expect(flagStatements, name).toEqual([]);
        continue;
      }
      expect(flagStatements).toHaveLength(1);
      expect(asList(flagStatements[0]!.Action).sort()).toEqual([
        'appconfig:GetLatestConfiguration',
        'appconfig:StartConfigurationSession',
      ]);
      expect(asList(flagStatements[0]!.Resource).map(arnText).sort()).toEqual([
        'arn:<Partition>:appconfig:<Region>:<AccountId>:application/app1234/environment/prod123/configuration/jobs123',
        'arn:<Partition>:appconfig:<Region>:<AccountId>:application/ops1234/environment/prod123/configuration/flags12',
      ]);
    }
  });

  it('lets only preflight read metric data, for FreeStorageSpace', () => {
    for (const name of FUNCTION_NAMES) {
      const reads = statements(name).some((s) => asList(s.Action).includes('cloudwatch:GetMetricData'));
      expect(reads, name).toBe(name === 'preflight');
    }
  });

  it('adds the AppConfig data endpoint to the VPC it creates, and passes cdk-nag', () => {
    const services = resourcesOfType(synth.template, 'AWS::EC2::VPCEndpoint').map(([, e]) =>
      JSON.stringify(e.Properties.ServiceName),
    );
    expect(services.some((s) => s.includes('appconfigdata'))).toBe(true);
    expect(nagFindings(synth.app)).toEqual([]);
  });
});
