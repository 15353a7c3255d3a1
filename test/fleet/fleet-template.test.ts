import { describe, expect, it } from 'vitest';
import { ConfigError, fleetExecutionInputOf, parseConfig } from '../../src/config';
import { defineJob } from '../../src/job/define-job';
import { PRIMARY_SECRET } from '../support/deployment-fixtures';

const job = defineJob({
  id: 'fleet2-tenants',
  owner: 'data',
  engine: 'postgres',
  database: 'tenants',
  table: 'orders',
  key: 'id',
  kind: 'update',
  where: 'status IS NULL',
  set: { status: "'open'" },
});

const template = {
  engine: 'postgres',
  host: 'db1.internal',
  database: 'app',
  auth: { secretArn: PRIMARY_SECRET },
};

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('the config parsed');
}

describe('a connection group written as a template and a list of hosts/databases', () => {
  it('expands to one connection per member, the group their names, the fleet input its members', () => {
    const config = parseConfig({
      connections: {},
      connectionGroups: {
        tenants: {
          template,
          members: [
            { name: 'tenant-a', database: 'tenant_a' },
            { name: 'tenant-b', database: 'tenant_b' },
            { name: 'tenant-c', host: 'db2.internal', port: 6432, database: 'tenant_c' },
          ],
        },
      },
      jobs: [{ job }],
    });
    expect(config.connectionGroups.tenants).toEqual(['tenant-a', 'tenant-b', 'tenant-c']);
    expect(config.connections['tenant-a']).toMatchObject({ host: 'db1.internal', database: 'tenant_a' });
    expect(config.connections['tenant-c']).toMatchObject({
      host: 'db2.internal',
      port: 6432,
      database: 'tenant_c',
    });
    expect(fleetExecutionInputOf(config, job).roster.map((m) => m.where)).toEqual([
      'db1.internal:5432/tenant_a',
      'db1.internal:5432/tenant_b',
      'db2.internal:6432/tenant_c',
    ]);
    // The expanded config parses again to itself (the CDK app and the functions parse it again).
    expect(parseConfig(config)).toEqual(config);
  });

  it('says what to change: the template’s own mistakes once, a member’s at that member', () => {
    const issues = issuesOf({
      connections: { 'tenant-a': template },
      connectionGroups: {
        tenants: {
          template: { ...template, host: undefined, engine: 'oracle' },
          members: [
            { name: 'tenant-a', host: 'x.internal' },
            { name: 'tenant-b', host: 'db 2' },
            { name: 'tenant-c' },
            { name: 'Tenant_D', host: 'y.internal' },
          ],
        },
      },
      jobs: [{ job }],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          path: 'connectionGroups.tenants.members.3.name',
          message: expect.stringContaining('must be a member name'),
        },
      ]),
    );
    const valid = issuesOf({
      connections: { 'tenant-a': template },
      connectionGroups: {
        tenants: {
          template: { ...template, host: undefined, engine: 'oracle' },
          members: [
            { name: 'tenant-a', host: 'x.internal' },
            { name: 'tenant-b', host: 'db 2' },
            { name: 'tenant-c' },
            { name: 'tenant-d' },
          ],
        },
      },
      jobs: [{ job }],
    });
    const at = (path: string) => valid.filter((i) => i.path === path).map((i) => i.message);
    expect(at('connectionGroups.tenants.members.0.name')).toEqual([
      "'tenant-a' is already a connection (or a member of another group): rename the member",
    ]);
    expect(at('connectionGroups.tenants.members.1.host')[0]).toContain('must be a host name');
    expect(at('connectionGroups.tenants.template.host')).toEqual([
      'is missing: set host in the template or in every member',
    ]);
    expect(at('connectionGroups.tenants.template.engine')).toHaveLength(1);
  });

  it('refuses two members that reach the same database, and unknown fields', () => {
    const same = issuesOf({
      connections: {},
      connectionGroups: {
        tenants: {
          template,
          members: [
            { name: 'a', database: 'x' },
            { name: 'b', database: 'x' },
          ],
        },
      },
      jobs: [{ job }],
    });
    expect(same).toEqual([
      {
        path: 'connectionGroups.tenants.members.1',
        message: "reaches db1.internal:5432/x, as member 'a' does: give it its own host, port or database",
      },
    ]);
    const unknown = issuesOf({
      connections: {},
      connectionGroups: { tenants: { template, members: [{ name: 'a', dbname: 'x' }] } },
      jobs: [{ job }],
    });
    expect(unknown[0]).toMatchObject({
      path: 'connectionGroups.tenants.members.0',
      message: expect.stringContaining('unknown field(s) dbname'),
    });
  });
});
