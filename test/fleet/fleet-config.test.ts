import { describe, expect, it } from 'vitest';
import { ConfigError, ddlRulesOf, deployedJobs, findJob, parseConfig } from '../../src/config';
import { defineJob } from '../../src/job/define-job';
import { PRIMARY_SECRET } from '../support/deployment-fixtures';
import { refusedIssues } from '../support/refusals';

const connection = (host: string, engine: 'postgres' | 'mysql' = 'postgres') => ({
  engine,
  host,
  database: 'orders',
  auth: { secretArn: PRIMARY_SECRET },
});

const fleetJob = defineJob({
  id: 'orders-fix',
  owner: 'data',
  engine: 'postgres',
  database: 'shards',
  table: 'orders',
  key: 'id',
  kind: 'update',
  where: 'status IS NULL',
  set: { status: "'open'" },
  health: { alarms: ['all-shards-cpu'] },
});

function base() {
  return {
    connections: { 'shard-1': connection('db1.internal'), 'shard-2': connection('db2.internal', 'mysql') },
    connectionGroups: { shards: ['shard-1', 'shard-2'] },
    jobs: [{ job: fleetJob }],
  };
}

const issuesOf = (input: unknown) => refusedIssues(() => parseConfig(input), ConfigError);

describe('connection groups in the deployment config', () => {
  it('runs a job on every member: each member run found by its id, on its own connection and engine', () => {
    const config = parseConfig(base());
    expect(deployedJobs(config).map((j) => [j.id, j.database, j.engine])).toEqual([
      ['orders-fix_shard-1', 'shard-1', 'postgres'],
      ['orders-fix_shard-2', 'shard-2', 'mysql'],
    ]);
    const member = findJob(config, 'orders-fix_shard-2');
    expect(member.job).toMatchObject({ id: 'orders-fix_shard-2', database: 'shard-2' });
    expect(member.job.health.alarms).toEqual(['all-shards-cpu']);
    expect(() => findJob(config, 'orders-fix_shard-3')).toThrow(/no job 'orders-fix_shard-3'/);
  });

  it('applies the fleet job entry’s DDL guard rules to each member run', () => {
    const config = parseConfig({
      ...base(),
      jobs: [{ job: fleetJob, ddlGuard: { rules: { 'pg-drop-table': 'off' } } }],
    });
    expect(ddlRulesOf(config, 'orders-fix_shard-1')).toEqual({ 'pg-drop-table': 'off' });
    expect(ddlRulesOf(config, 'orders-fix_shard-1')).toEqual(ddlRulesOf(config, 'orders-fix'));
  });

  it('refuses unknown or repeated members, a group named like a connection, and member names that cannot be run ids', () => {
    expect(
      issuesOf({ ...base(), connectionGroups: { shards: ['shard-1', 'shard-9', 'shard-1'] } }),
    ).toMatchObject({
      'connectionGroups.shards.1': expect.stringMatching(
        /names connection 'shard-9', which is not in connections/,
      ),
      'connectionGroups.shards.2': "'shard-1' is listed twice",
    });
    expect(
      issuesOf({ ...base(), connectionGroups: { shards: ['shard-1'], 'shard-2': ['shard-1'] } })[
        'connectionGroups.shard-2'
      ],
    ).toMatch(/is also a connection: .* rename the group/);
    const upper = { ...base(), connections: { ...base().connections, Shard_1: connection('db3.internal') } };
    expect(
      issuesOf({ ...upper, connectionGroups: { shards: ['Shard_1'] } })['connectionGroups.shards.0'],
    ).toMatch(/also a member name: lowercase letters, digits and -/);
    expect(issuesOf({ ...base(), connectionGroups: { shards: [] } })['connectionGroups.shards']).toMatch(
      /at least one connection/,
    );
  });

  it('refuses a fleet job whose member run ids would be too long', () => {
    const long = 'x'.repeat(30);
    const input = {
      ...base(),
      connections: { [long]: connection('db1.internal') },
      connectionGroups: { shards: [long] },
      jobs: [{ job: { ...fleetJob, id: 'orders-fix-with-a-long-id' } }],
    };
    expect(issuesOf(input)['jobs.0.job.id']).toMatch(
      /at most 48: shorten the job id or the connection's name/,
    );
  });
});
