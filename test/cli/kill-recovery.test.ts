import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalControl, parseServerFile } from '../../src/cli/control/local-control';
import type { JobState } from '../../src/control/types';
import { ENGINES } from '../support/databases';
import { backfillTargets } from '../support/fixtures';
import { countWrites, type WriteCounter } from '../support/write-counter';
import { type CliAccounts, localArgs, stateEnv, useCliAccounts } from './support/cli-accounts';
import { killHard, nextLine, parseJson, runCli, spawnCli } from './support/cli-process';
import { accountsCounts } from './support/table-checks';

const ROWS = 3_000;

/** How many rows of accounts the trigger saw written, and the most writes any one of them had. */
async function writeCounts(writes: WriteCounter): Promise<{ rows: number; most: number }> {
  const histogram = await writes.histogram();
  return {
    rows: histogram.reduce((sum, [, keys]) => sum + keys, 0),
    most: histogram.at(-1)?.[0] ?? 0,
  };
}

interface StatusJson {
  state: JobState;
  leaseLive?: boolean;
}

describe.each(ENGINES)('local control state after kill -9 on %s', (engine) => {
  const jobFile = `test/cli/fixtures/slow-backfill-${engine}.ts`;
  const jobId = `cli-slow-backfill-${engine}`;
  const runArgs = (t: CliAccounts, msPerSecond: number) => localArgs(t, 'run', jobFile, msPerSecond);

  /** Starts the slow backfill and kills it -9 once it reports a committed batch; returns its pid. */
  async function killMidRun(t: CliAccounts): Promise<number> {
    // 24 batches with 300 ms of pacing after each: the kill lands long before the end.
    const run = spawnCli(runArgs(t, 300), { env: stateEnv(t) });
    await nextLine(run.child, /^batch \d+: /);
    await killHard(run.child);
    const result = await run.done;
    expect(result.code, result.stderr).toBeNull();
    return run.child.pid!;
  }

  async function expectEveryRowChangedOnce(t: CliAccounts, writes: WriteCounter): Promise<void> {
    const targets = backfillTargets(ROWS);
    expect(await accountsCounts(t.conn)).toEqual({ once: targets, twice: 0, pending: 0, legacyTouched: 0 });
    expect(await writeCounts(writes)).toEqual({ rows: targets, most: 1 });
  }

  describe('a rerun in the same folder', () => {
    const t = useCliAccounts(engine, ROWS);

    it('takes over the dead run’s state server and lease at once and completes, every row changed once', async () => {
      const writes = await countWrites(t.conn, engine, 'accounts');
      const deadPid = await killMidRun(t);
      const left = parseServerFile(await readFile(join(t.state.dir, 'server.json'), 'utf8'));
      expect(left?.pid).toBe(deadPid);

      const started = Date.now();
      const rerun = await runCli(['--json', ...runArgs(t, 0)], { env: stateEnv(t) });
      expect(rerun.code, rerun.stderr).toBe(0);
      const json = parseJson<{ outcome: string; rowsDone: number }>(rerun);
      expect(json).toMatchObject({ outcome: 'completed', rowsDone: backfillTargets(ROWS) });
      // A guard only: waiting out the dead run's 10-minute lease would take far longer.
      expect(Date.now() - started).toBeLessThan(120_000);
      await expectEveryRowChangedOnce(t, writes);

      const status = parseJson<StatusJson>(await runCli(['--json', 'status', jobId], { env: stateEnv(t) }));
      expect(status.state.status).toBe('completed');
      // The takeover raised the fencing token past the dead run's.
      expect(status.state.lastToken).toBeGreaterThanOrEqual(2);
    });
  });

  describe('status, abort and resume --clear-abort', () => {
    const t = useCliAccounts(engine, ROWS);

    it('show the owner gone, abort at once, re-arm, and the next run completes', async () => {
      const writes = await countWrites(t.conn, engine, 'accounts');
      const deadPid = await killMidRun(t);

      const statusRun = await runCli(['--json', 'status', jobId], { env: stateEnv(t) });
      expect(statusRun.code, statusRun.stderr).toBe(0);
      const status = parseJson<StatusJson>(statusRun);
      expect(status.state.status).toBe('running');
      expect(status.state.lease?.holder?.pid).toBe(deadPid);
      expect(status.leaseLive).toBe(false);
      const text = await runCli(['status', jobId], { env: stateEnv(t) });
      expect(text.stdout).toContain('lease       expired: its process is gone');

      const abort = await runCli(['--json', 'abort', jobId, '--by', 'ops'], { env: stateEnv(t) });
      expect(abort.code, abort.stderr).toBe(0);
      expect(parseJson<StatusJson>(abort).state.status).toBe('aborted');

      const resumed = await runCli(['resume', jobId, '--clear-abort', '--by', 'ops'], { env: stateEnv(t) });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('cleared abort request by ops');
      expect(resumed.stdout).not.toContain('pause cleared');

      const rerun = await runCli(['--json', ...runArgs(t, 0)], { env: stateEnv(t) });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(parseJson<{ outcome: string }>(rerun).outcome).toBe('completed');
      await expectEveryRowChangedOnce(t, writes);
    });
  });

  describe('an abort under way when its run dies', () => {
    const t = useCliAccounts(engine, ROWS);

    it('settles to aborted, and resume --clear-abort re-arms the job', async () => {
      // This test process serves the state, so it can record the abort while the run is frozen
      // (SIGSTOP: alive, its lease live, unable to act on the request) and then kill it.
      const server = await openLocalControl(t.state.dir, { longLived: true });
      try {
        const run = spawnCli(runArgs(t, 300), { env: stateEnv(t) });
        await nextLine(run.child, /^batch \d+: /);
        run.child.kill('SIGSTOP');
        const aborting = await server.store.requestAbort(jobId, { by: 'ops', reason: 'test' });
        expect(aborting.status).toBe('aborting');
        await killHard(run.child);

        const status = parseJson<StatusJson>(await runCli(['--json', 'status', jobId], { env: stateEnv(t) }));
        expect(status.state.status).toBe('aborted');
        expect(status.leaseLive).toBe(false);

        const resumed = await runCli(['resume', jobId, '--clear-abort', '--by', 'ops'], { env: stateEnv(t) });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stdout).toContain('cleared abort request by ops');
        expect((await server.store.getJob(jobId))?.status).toBe('idle');
      } finally {
        await server.close();
      }
    });

    it('an abort left aborting is cleared at once by resume --clear-abort', async () => {
      // The same state reached without the settling status in between.
      const server = await openLocalControl(t.state.dir, { longLived: true });
      try {
        const run = spawnCli(runArgs(t, 300), { env: stateEnv(t) });
        await nextLine(run.child, /^batch \d+: /);
        run.child.kill('SIGSTOP');
        expect((await server.store.requestAbort(jobId, { by: 'ops' })).status).toBe('aborting');
        await killHard(run.child);

        const resumed = await runCli(['resume', jobId, '--clear-abort', '--by', 'ops'], { env: stateEnv(t) });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect((await server.store.getJob(jobId))?.status).toBe('idle');
      } finally {
        await server.close();
      }
    });
  });
});
