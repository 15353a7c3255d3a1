import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FleetStatus } from '../../src/cli/fleet/fleet-status';
import { killHard, nextLine, parseJson, REPO_ROOT, runCli, spawnCli } from '../cli/support/cli-process';
import { expectEachChangedOnce, type TestFleet, useTestFleet } from './support/fleet-databases';

const ROWS = 600;
const JOB_FILE = join(REPO_ROOT, 'test/fleet/fixtures/fleet-backfill.ts');
const SIX = ['postgres', 'mysql', 'mysql', 'postgres', 'postgres', 'mysql'] as const;

interface FleetRunJson {
  outcome: string;
  fleet: boolean;
  concurrency: number;
  members: { member: string; engine: string; outcome: string; rowsDone?: number }[];
}

function cli(fleet: TestFleet) {
  const options = { cwd: fleet.cwd, env: { LOWTIDE_STATE_DIR: fleet.stateDir }, timeoutMs: 120_000 };
  const runArgs = (msPerSecond: number) => [
    '--json',
    'run',
    JOB_FILE,
    '--local',
    '--concurrency',
    '2',
    '--ms-per-second',
    String(msPerSecond),
  ];
  return {
    spawnRun: (msPerSecond: number) => spawnCli(runArgs(msPerSecond), options),
    run: (msPerSecond: number) => runCli(runArgs(msPerSecond), options),
    command: (...args: string[]) => runCli(args, options),
  };
}

async function fleetStatus(fleet: TestFleet): Promise<FleetStatus> {
  const status = await cli(fleet).command('--json', 'status', 'fleet-backfill');
  expect(status.code, status.stderr).toBe(0);
  return parseJson<{ fleet: FleetStatus }>(status).fleet;
}

describe('lowtide run --local over a connection group of six databases, killed -9 and run again', () => {
  const fleet = useTestFleet(SIX, ROWS);

  it('takes over the dead run’s members and completes every one, every row changed once', async () => {
    const c = cli(fleet);
    // 6 batches a member with 300 ms of pacing after each: the kill lands while two members run.
    const first = c.spawnRun(300);
    await nextLine(first.child, /^member m\d: batch 2, /);
    await killHard(first.child);
    expect((await first.done).code).toBeNull();

    const afterKill = await fleetStatus(fleet);
    expect(afterKill.members.map((m) => m.member)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(afterKill.counts.done).toBeLessThan(6);
    expect(afterKill.rowsDone).toBeGreaterThan(0);

    const rerun = await c.run(0);
    expect(rerun.code, rerun.stderr).toBe(0);
    const json = parseJson<FleetRunJson>(rerun);
    expect(json).toMatchObject({ outcome: 'completed', fleet: true, concurrency: 2 });
    expect(json.members.map((m) => [m.member, m.engine, m.outcome, m.rowsDone])).toEqual(
      fleet.members.map((m) => [m.member, m.engine, 'completed', 480]),
    );
    await expectEachChangedOnce(fleet, ROWS, expect);

    const done = await fleetStatus(fleet);
    expect(done.counts).toMatchObject({ done: 6, running: 0, paused: 0, failed: 0 });
    expect(done.rowsDone).toBe(6 * 480);
    // A member the kill caught mid-run was taken over with a higher fencing token.
    const member = await c.command('--json', 'status', 'fleet-backfill', '--member', 'm1');
    expect(parseJson<{ state: { lastToken: number } }>(member).state.lastToken).toBeGreaterThanOrEqual(2);
  }, 180_000);
});

describe('lowtide pause and resume of a fleet', () => {
  const fleet = useTestFleet(SIX, ROWS);

  it('one pause stops every member after its current batch; resume and a rerun finish them, every row once', async () => {
    const c = cli(fleet);
    const run = c.spawnRun(1000);
    await nextLine(run.child, /^member m\d: batch 1, /);
    const paused = await c.command('pause', 'fleet-backfill', '--reason', 'fleet maintenance window');
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/pause sent to every member/);
    const ended = await run.done;
    expect(ended.code, ended.stderr).toBe(4);
    const json = parseJson<FleetRunJson>(ended);
    expect(json.outcome).toBe('paused');
    const outcomes = json.members.map((m) => m.outcome);
    expect(outcomes.every((o) => o === 'paused' || o === 'completed')).toBe(true);
    // However far the members got before the request landed, at least the last to start was paused.
    expect(outcomes.filter((o) => o === 'paused').length).toBeGreaterThanOrEqual(1);
    expect(outcomes.at(-1)).toBe('paused');

    const status = await fleetStatus(fleet);
    expect(status.counts.done + status.counts.paused).toBe(6);
    for (const m of status.members.filter((x) => x.phase === 'paused'))
      expect(m.pausedBy).toEqual(['operator']);

    // One member alone: resumed and run, the rest stay paused.
    const one = await c.command('resume', 'fleet-backfill', '--member', 'm6');
    expect(one.code, one.stderr).toBe(0);
    const resumed = await c.command('resume', 'fleet-backfill');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resume sent to every member/);

    const rerun = await c.run(0);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(parseJson<FleetRunJson>(rerun).outcome).toBe('completed');
    await expectEachChangedOnce(fleet, ROWS, expect);
  }, 180_000);

  it('refuses an unknown member, naming the known ones', async () => {
    const res = await cli(fleet).command('pause', 'fleet-backfill', '--member', 'm9');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/has no member 'm9': its members are m1, m2, m3, m4, m5, m6/);
  });
});
