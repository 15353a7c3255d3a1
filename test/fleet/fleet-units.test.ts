import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/cli/errors';
import {
  checkMemberRunIds,
  memberNameOfUrl,
  parseConnectionGroup,
} from '../../src/cli/fleet/connection-groups';
import { fleetOutcome } from '../../src/cli/fleet/fleet-outcome';
import type { RunOutcome } from '../../src/cli/run/run-outcome';
import { assertJobId } from '../../src/control/item-keys';
import { defineJob } from '../../src/job/define-job';
import { memberSpec } from '../../src/job/fleet-member';
import { runFleetDefinition } from '../../src/runtime/fleet/fleet-machine';
import { accountsBackfill } from '../cli/fixtures/test-job';

describe('connection groups in lowtide.connections.json', () => {
  it('names members from the URL’s database, else its host, deterministically', () => {
    expect(memberNameOfUrl('postgres://u:p@db1.internal:5432/Shard_07')).toBe('shard-07');
    expect(memberNameOfUrl('mysql://root@tenant-a.example.com')).toBe('tenant-a-example-com');
    const group = parseConnectionGroup('shards', [
      'postgres://h/a',
      { name: 'eu', url: 'mysql://root@h/b', alarms: ['eu-cpu'] },
      { url: 'postgres://h/c' },
    ]);
    expect(group.members.map((m) => [m.name, m.engine, m.alarms])).toEqual([
      ['a', 'postgres', []],
      ['eu', 'mysql', ['eu-cpu']],
      ['c', 'postgres', []],
    ]);
  });

  it.each([
    [[], /at least one member/],
    ['postgres://h/a', /must be a list of URLs/],
    [
      ['postgres://h/a', 'postgres://other/a'],
      /\[0\] and \[1\] are both member 'a': give them distinct "name"s/,
    ],
    [[{ name: 'Bad Name', url: 'postgres://h/a' }], /member name 'Bad Name' is not valid/],
    [[{ url: 'postgres://h/a', user: 'x' }], /unknown field\(s\) user/],
    [[{ name: 'a' }], /url must be a database URL string/],
    [['redis://h/a'], /"shards"\[0\]/],
    [[{ url: 'postgres://h/a', alarms: 'cpu' }], /alarms must be a list of alarm names/],
    [[42], /must be a URL string or a \{ "name", "url" \} object/],
  ])('refuses %j with a message saying what to change', (value, message) => {
    expect(() => parseConnectionGroup('shards', value)).toThrow(BadInputError);
    expect(() => parseConnectionGroup('shards', value)).toThrow(message);
  });

  it('refuses a member whose run id would not fit where job ids go', () => {
    const group = parseConnectionGroup('shards', [{ name: 'a'.repeat(32), url: 'postgres://h/a' }]);
    expect(() => checkMemberRunIds('a-job-id-of-twenty-c', group)).toThrow(
      /at most 48: give the member a shorter "name"/,
    );
    expect(() => checkMemberRunIds('short', group)).not.toThrow();
  });
});

describe('a member’s run', () => {
  const spec = defineJob(
    accountsBackfill('orders-fix', 'postgres', { database: 'shards', health: { alarms: ['all-cpu'] } }),
  );

  it('runs under <job>_<member> on its own connection, with its engine and its alarms added', () => {
    const member = memberSpec(spec, { name: 'eu-1', engine: 'mysql', alarms: ['eu-1-cpu', 'all-cpu'] });
    expect(member).toMatchObject({ id: 'orders-fix_eu-1', database: 'orders-fix_eu-1', engine: 'mysql' });
    expect(member.health.alarms).toEqual(['all-cpu', 'eu-1-cpu']);
    expect(spec.id).toBe('orders-fix');
    // The control store keeps state under it, and under its rollback's id.
    expect(() => assertJobId(member.id)).not.toThrow();
    expect(() => assertJobId(`${member.id}-rollback`)).not.toThrow();
    expect(() => assertJobId('orders-fix_')).toThrow();
  });

  it('a declared job id can never be a member’s', () => {
    expect(() => defineJob(accountsBackfill('orders-fix_eu-1', 'postgres'))).toThrow();
  });
});

describe('the fleet definition, run locally', () => {
  const roster = { controlTableName: 'control', putItem: async () => {} };
  const input = (names: string[], maxConcurrency: number) => ({
    jobId: 'orders-fix',
    group: 'shards',
    roster: names.map((name) => ({
      name,
      runId: `orders-fix_${name}`,
      engine: 'postgres' as const,
      where: `${name}.internal:5432/app`,
    })),
    members: names.map((member) => ({ member, runId: `orders-fix_${member}` })),
    maxConcurrency,
    toleratedFailurePercentage: 0,
    window: {},
  });

  it('runs each member’s nested execution at most MaxConcurrency at once; a failed one stops no other', async () => {
    let running = 0;
    let most = 0;
    const seen: unknown[] = [];
    const result = await runFleetDefinition({
      ...roster,
      input: input(['a', 'b', 'c', 'd', 'e', 'f'], 2),
      runMember: async (execution) => {
        seen.push(execution);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        const failed = execution.jobId === 'orders-fix_c';
        return {
          Status: failed ? 'FAILED' : 'SUCCEEDED',
          ExecutionArn: `arn:${execution.jobId}`,
          Output: {},
        };
      },
    });
    expect(most).toBe(2);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.results.map((r) => [r.member, r.status])).toEqual([
      ['a', 'SUCCEEDED'],
      ['b', 'SUCCEEDED'],
      ['c', 'FAILED'],
      ['d', 'SUCCEEDED'],
      ['e', 'SUCCEEDED'],
      ['f', 'SUCCEEDED'],
    ]);
    // Each nested execution gets the member's run id, the fleet's window and the link to its parent.
    expect(seen[0]).toEqual({
      jobId: 'orders-fix_a',
      window: {},
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: expect.stringContaining(':execution:lowtide-fleet-job:'),
    });
  });

  it('follows a member run that continued as new until its successor ends', async () => {
    const described: string[] = [];
    const statuses = ['RUNNING', 'SUCCEEDED'];
    const result = await runFleetDefinition({
      ...roster,
      input: input(['a'], 1),
      runMember: async () => ({
        Status: 'SUCCEEDED',
        ExecutionArn: 'arn:first',
        Output: { successor: { name: 'orders-fix_a-run1-g1' } },
      }),
      describeExecution: async (arn) => {
        described.push(arn);
        const Status = statuses.shift()!;
        return Status === 'RUNNING' ? { Status } : { Status, Output: '{"rowsDone": 10}' };
      },
    });
    expect(described).toEqual([
      'arn:aws:states:local:000000000000:execution:lowtide-maintenance-job:orders-fix_a-run1-g1',
      'arn:aws:states:local:000000000000:execution:lowtide-maintenance-job:orders-fix_a-run1-g1',
    ]);
    expect(result).toMatchObject({ status: 'SUCCEEDED', results: [{ member: 'a', status: 'SUCCEEDED' }] });
  });

  it('fails the member’s iteration when its successor fails', async () => {
    const result = await runFleetDefinition({
      ...roster,
      input: input(['a'], 1),
      runMember: async () => ({
        Status: 'SUCCEEDED',
        ExecutionArn: 'arn:first',
        Output: { successor: { name: 'x-g1' } },
      }),
      describeExecution: async () => ({ Status: 'FAILED' }),
    });
    expect(result.status).toBe('FAILED');
  });
});

describe('the fleet’s verdict', () => {
  const o = (outcome: RunOutcome['outcome']): RunOutcome => ({
    outcome,
    code: outcome === 'completed' ? 0 : 1,
  });
  const members = (...outcomes: RunOutcome['outcome'][]) =>
    outcomes.map((x, i) => ({ member: `m${i + 1}`, outcome: o(x) }));

  it('fails past the tolerated share of failures, and not below it', () => {
    const six = members('completed', 'failed', 'completed', 'completed', 'completed', 'completed');
    expect(fleetOutcome(six, 0)).toMatchObject({ outcome: 'failed', failed: 1, code: 1 });
    expect(fleetOutcome(six, 0).reason).toMatch(/1 of 6 members failed \(m2\), more than the 0% tolerated/);
    expect(fleetOutcome(six, 20)).toMatchObject({
      outcome: 'completed',
      code: 0,
      reason: '1 failed member(s) tolerated: m2',
    });
  });

  it('is paused, aborted or incomplete while a member is, naming it', () => {
    expect(fleetOutcome(members('completed', 'paused'), 0)).toMatchObject({
      outcome: 'paused',
      reason: 'paused: m2',
      code: 4,
    });
    expect(fleetOutcome(members('aborted', 'paused'), 0)).toMatchObject({ outcome: 'aborted' });
    expect(fleetOutcome(members('completed', 'blocked'), 0)).toMatchObject({
      outcome: 'incomplete',
      reason: 'm2 blocked',
    });
    expect(fleetOutcome(members('completed', 'completed'), 0)).toMatchObject({
      outcome: 'completed',
      code: 0,
    });
  });
});
