import { describe, expect, it } from 'vitest';
import exampleConfig from '../../lowtide.config';
import {
  ConfigError,
  cronProblem,
  defineConfig,
  findJob,
  normalizeCron,
  parseConfig,
  toRuntimeConnections,
  UnknownJobError,
} from '../../src/config';
import { primaryConnections, tierBackfill } from '../support/deployment-fixtures';
import { refusedIssues } from '../support/refusals';

const job = tierBackfill('backfill-tier', { health: { maxReplicaLagSeconds: 3 } });

function base() {
  return {
    connections: primaryConnections,
    jobs: [{ job }],
  };
}

/** The issues of a config that must be refused, as path -> message. */
const issuesOf = (input: unknown) => refusedIssues(() => parseConfig(input), ConfigError);

describe('defineConfig', () => {
  it('fills in documented defaults', () => {
    const config = defineConfig(base());
    expect(config.name).toBe('lowtide');
    expect(config.network).toBeUndefined();
    expect(config.notifications.emails).toEqual([]);
    expect(config.connections.primary!.replicas).toEqual([]);
  });

  it('accepts the example deployment config as is', () => {
    expect(exampleConfig.jobs.map((e) => e.job.id)).toEqual([
      'backfill-account-tier',
      'purge-expired-sessions',
    ]);
    expect(exampleConfig.jobs[0]!.schedule).toMatchObject({
      timeZone: 'Europe/Berlin',
      flexibleWindowMinutes: 15,
    });
  });

  it('refuses a job whose connection is missing, naming the known ones', () => {
    const issues = issuesOf({ ...base(), jobs: [{ job: { ...job, database: 'replica' } }] });
    expect(issues['jobs.0.job.database']).toBe(
      "names connection 'replica', which is not in connections (known: primary)",
    );
  });

  it('refuses a job whose engine differs from its connection', () => {
    const input = base();
    const issues = issuesOf({
      ...input,
      connections: { primary: { ...input.connections.primary, engine: 'mysql' } },
    });
    expect(issues['jobs.0.job.engine']).toBe("is 'postgres' but connection 'primary' is 'mysql'");
  });

  it('refuses duplicate job ids', () => {
    const issues = issuesOf({ ...base(), jobs: [{ job }, { job }] });
    expect(issues['jobs.1.job.id']).toMatch(/also jobs\.0/);
  });

  it('refuses something that is not a job from defineJob', () => {
    const issues = issuesOf({ ...base(), jobs: [{ job: 'backfill-tier' }] });
    expect(issues['jobs.0.job']).toMatch(/defineJob/);
  });

  it('refuses a secret ARN without its suffix and an auth that is neither kind', () => {
    const input = base();
    const partial = issuesOf({
      ...input,
      connections: {
        primary: {
          ...input.connections.primary,
          auth: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/primary' },
        },
      },
    });
    expect(Object.values(partial).join(' ')).toMatch(/6-character suffix|secretArn/);
    const neither = issuesOf({
      ...input,
      connections: { primary: { ...input.connections.primary, auth: {} } },
    });
    expect(neither['connections.primary.auth']).toMatch(/secretArn.*iamUser/);
  });

  it('refuses a database security group without a network to put the functions in', () => {
    const input = base();
    const issues = issuesOf({
      ...input,
      connections: { primary: { ...input.connections.primary, securityGroupId: 'sg-0123456789abcdef0' } },
    });
    expect(issues['connections.primary.securityGroupId']).toMatch(/needs network/);
  });

  it('refuses lag alarms that cannot be built', () => {
    const input = base();
    const withLag = (lagAlarm: unknown) => ({
      ...input,
      connections: { primary: { ...input.connections.primary, lagAlarm } },
    });
    expect(
      issuesOf(withLag({ service: 'rds', clusterId: 'orders' }))['connections.primary.lagAlarm.clusterId'],
    ).toMatch(/Aurora only/);
    expect(
      issuesOf(withLag({ service: 'aurora' }))['connections.primary.lagAlarm.replicaInstanceIds'],
    ).toMatch(/clusterId/);
  });

  it('refuses a network whose subnets and zones do not line up, and endpoints without route tables', () => {
    const network = {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      subnetIds: ['subnet-0123456789abcdef0'],
      createEndpoints: true,
    };
    const issues = issuesOf({ ...base(), network });
    expect(issues['network.subnetIds']).toMatch(/one subnet per availability zone/);
    expect(issues['network.routeTableIds']).toMatch(/required with createEndpoints/);
  });

  it('refuses schedules that Scheduler would reject or that leave no window', () => {
    const withSchedule = (schedule: unknown) => ({ ...base(), jobs: [{ job, schedule }] });
    const cron = issuesOf(
      withSchedule({ cron: '0 2 * * *', timeZone: 'Europe/Berlin', durationMinutes: 60 }),
    );
    expect(cron['jobs.0.schedule.cron']).toMatch(/6 fields/);
    const zone = issuesOf(
      withSchedule({ cron: '0 2 * * ? *', timeZone: 'Mars/Olympus', durationMinutes: 60 }),
    );
    expect(zone['jobs.0.schedule.timeZone']).toMatch(/IANA time zone/);
    const window = issuesOf(
      withSchedule({ cron: '0 2 * * ? *', timeZone: 'UTC', durationMinutes: 30, flexibleWindowMinutes: 30 }),
    );
    expect(window['jobs.0.schedule.flexibleWindowMinutes']).toMatch(/shorter than durationMinutes/);
  });

  it('lists every problem at once, one per line', () => {
    try {
      parseConfig({ name: 'Bad Name', connections: {}, jobs: [], extra: 1 });
      throw new Error('expected a ConfigError');
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n').length).toBeGreaterThanOrEqual(4);
      expect(message).toMatch(/name: must be lowercase/);
      expect(message).toMatch(/unknown field\(s\) extra/);
    }
  });
});

describe('cron expressions', () => {
  it('accepts Scheduler cron with or without the wrapper and normalizes it', () => {
    expect(cronProblem('0 2 * * ? *')).toBeUndefined();
    expect(cronProblem('cron(0/30 8-17 ? * MON-FRI *)')).toBeUndefined();
    expect(normalizeCron('  0  2 * * ? * ')).toBe('cron(0 2 * * ? *)');
    expect(normalizeCron('cron(0 2 * * ? *)')).toBe('cron(0 2 * * ? *)');
  });

  it("requires exactly one of day-of-month and day-of-week to be '?'", () => {
    expect(cronProblem('0 2 * * * *')).toMatch(/exactly one/);
    expect(cronProblem('0 2 ? * ? *')).toMatch(/exactly one/);
  });
});

describe('runtime connections (derived from the bundled config)', () => {
  it('carries where to connect and which credential to read, never a credential', () => {
    const connections = toRuntimeConnections(exampleConfig);
    expect(connections.primary).toEqual({
      engine: 'postgres',
      host: 'orders.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      port: 5432,
      database: 'orders',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/orders-AbCdEf',
      replicas: [
        {
          name: 'orders-reader-1',
          host: 'orders-reader-1.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
          port: 5432,
        },
      ],
      alarms: ['lowtide-primary-replica-lag'],
    });
    expect(connections.sessions).toMatchObject({ engine: 'mysql', port: 3306, iamAuthUser: 'lowtide' });
    expect(connections.sessions).not.toHaveProperty('secretArn');
    expect(JSON.stringify(connections)).not.toMatch(/password/i);
  });
});

describe('findJob', () => {
  it('finds a configured job and names the known ones otherwise', () => {
    expect(findJob(exampleConfig, 'purge-expired-sessions').job.kind).toBe('delete');
    expect(() => findJob(exampleConfig, 'nope')).toThrow(UnknownJobError);
    expect(() => findJob(exampleConfig, 'nope')).toThrow(
      /known: backfill-account-tier, purge-expired-sessions/,
    );
  });
});
