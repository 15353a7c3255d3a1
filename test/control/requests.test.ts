import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidControlInputError } from '../../src/control/errors';
import { IllegalTransitionError, type JobState } from '../../src/control/types';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

const TTL = 60_000;
const reasons = (state: JobState | undefined) => state?.pauseRequests.map((r) => r.reason).sort();

describe('pause, resume, abort and approval', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A job in `running` whose execution holds a live lease. */
  async function runningJob(prefix: string): Promise<string> {
    const jobId = uniqueJobId(prefix);
    await h.store.ensureJob(jobId);
    const result = await h.store.acquireLease(jobId, `${jobId}-exec`, TTL);
    expect(result.acquired).toBe(true);
    await h.store.setStatus(jobId, 'running');
    return jobId;
  }

  it('pause reasons combine, one request per reason', async () => {
    const jobId = await runningJob('combine');
    await h.store.requestPause(jobId, { reason: 'alarm:cpu-high', by: 'arn:alarm/cpu-high' });
    await h.store.requestPause(jobId, { reason: 'operator', by: 'alice', message: 'deploy in progress' });
    h.clock.advance(1000);
    const state = await h.store.requestPause(jobId, {
      reason: 'operator',
      by: 'bob',
      message: 'still deploying',
    });
    expect(reasons(state)).toEqual(['alarm:cpu-high', 'operator']);
    expect(state.pauseRequests.find((r) => r.reason === 'operator')).toEqual({
      reason: 'operator',
      by: 'bob',
      message: 'still deploying',
      at: new Date(h.clock.ms).toISOString(),
    });
    // The execution holds a live lease: it applies the pause after its current batch.
    expect(state.status).toBe('pausing');
    expect((await h.store.setStatus(jobId, 'paused')).status).toBe('paused');
  });

  it("an operator's resume clears the operator's pause but not an alarm's", async () => {
    const jobId = await runningJob('operator-resume');
    await h.store.requestPause(jobId, { reason: 'operator', by: 'alice' });
    await h.store.requestPause(jobId, { reason: 'alarm:replica-lag', by: 'cloudwatch' });
    await h.store.requestPause(jobId, { reason: 'lock-timeouts', by: 'apply-batch' });
    await h.store.requestPause(jobId, { reason: 'window', by: 'scheduler' });
    await h.store.setStatus(jobId, 'paused');
    const state = await h.store.clearPause(jobId, 'operator');
    expect(reasons(state)).toEqual(['alarm:replica-lag']);
    expect(state.status).toBe('paused');
  });

  it("an alarm's pause clears on that alarm's OK, not on an unrelated one", async () => {
    const jobId = await runningJob('alarm-ok');
    await h.store.requestPause(jobId, { reason: 'alarm:cpu-high', by: 'cloudwatch' });
    await h.store.requestPause(jobId, { reason: 'alarm:disk-queue', by: 'cloudwatch' });
    await h.store.setStatus(jobId, 'paused');

    let state = await h.store.clearPause(jobId, 'alarm:error-rate');
    expect(reasons(state)).toEqual(['alarm:cpu-high', 'alarm:disk-queue']);
    state = await h.store.clearPause(jobId, 'alarm:cpu-high');
    expect(reasons(state)).toEqual(['alarm:disk-queue']);
    state = await h.store.clearPause(jobId, 'alarm:disk-queue');
    expect(state.pauseRequests).toEqual([]);
    // Nothing holds it back now; the waiting execution (or the next start) moves it to running.
    expect(state.status).toBe('paused');
    expect((await h.store.setStatus(jobId, 'running')).status).toBe('running');
  });

  it('a forced resume clears every pause, alarms included', async () => {
    const jobId = await runningJob('force');
    await h.store.requestPause(jobId, { reason: 'alarm:cpu-high', by: 'cloudwatch' });
    await h.store.requestPause(jobId, { reason: 'operator', by: 'alice' });
    await h.store.requestPause(jobId, { reason: 'replica-lag', by: 'health-gate' });
    const state = await h.store.clearPause(jobId, 'operator', { force: true });
    expect(state.pauseRequests).toEqual([]);
  });

  it('a pause withdrawn before the execution saw it puts the job back to running', async () => {
    const jobId = await runningJob('withdrawn');
    expect((await h.store.requestPause(jobId, { reason: 'operator', by: 'alice' })).status).toBe('pausing');
    const state = await h.store.clearPause(jobId, 'operator');
    expect(state).toMatchObject({ status: 'running', pauseRequests: [] });
  });

  it('with no live execution a pause takes effect at once', async () => {
    const idle = uniqueJobId('idle-pause');
    expect((await h.store.requestPause(idle, { reason: 'window', by: 'scheduler' })).status).toBe('paused');

    const crashed = await runningJob('crashed-pause');
    h.clock.advance(TTL + 1);
    expect((await h.store.requestPause(crashed, { reason: 'operator', by: 'alice' })).status).toBe('paused');

    const failed = uniqueJobId('failed-pause');
    await h.putJob(failed, 'failed');
    const state = await h.store.requestPause(failed, { reason: 'operator', by: 'alice' });
    expect(state).toMatchObject({ status: 'failed', pauseRequests: [{ reason: 'operator' }] });
  });

  it('a burst of alarms pausing at once loses none of them', async () => {
    const jobId = await runningJob('storm');
    const alarms = Array.from({ length: 12 }, (_, i) => `alarm:a${i}` as const);
    await Promise.all(alarms.map((reason) => h.newStore().requestPause(jobId, { reason, by: 'cloudwatch' })));
    const state = await h.store.getJob(jobId);
    expect(reasons(state)).toEqual([...alarms].sort());
    expect(state?.status).toBe('pausing');
    await Promise.all(alarms.slice(0, 6).map((reason) => h.newStore().clearPause(jobId, reason)));
    expect(reasons(await h.store.getJob(jobId))).toEqual(alarms.slice(6).sort());
  });

  it('refuses a pause reason lowtide does not know', async () => {
    const jobId = uniqueJobId('bad-reason');
    await expect(h.store.requestPause(jobId, { reason: 'because' as 'operator', by: 'x' })).rejects.toThrow(
      InvalidControlInputError,
    );
    await expect(h.store.requestPause(jobId, { reason: 'operator', by: '' })).rejects.toThrow(/by/);
  });

  it('abort of a running job: aborting until its execution finishes, then aborted and sticky', async () => {
    const jobId = await runningJob('abort');
    let state = await h.store.requestAbort(jobId, { by: 'alice', reason: 'wrong predicate' });
    expect(state).toMatchObject({
      status: 'aborting',
      abortRequest: { by: 'alice', reason: 'wrong predicate', at: new Date(h.clock.ms).toISOString() },
    });
    // A second request keeps the first one's record.
    state = await h.store.requestAbort(jobId, { by: 'bob' });
    expect(state.abortRequest?.by).toBe('alice');
    await expect(h.store.setStatus(jobId, 'running')).rejects.toThrow(IllegalTransitionError);
    expect((await h.store.setStatus(jobId, 'aborted')).status).toBe('aborted');
    await expect(h.store.setStatus(jobId, 'running')).rejects.toThrow(IllegalTransitionError);

    await expect(h.store.clearAbort(jobId, '')).rejects.toThrow(InvalidControlInputError);
    state = await h.store.clearAbort(jobId, 'alice');
    expect(state.status).toBe('idle');
    expect(state.abortRequest).toBeUndefined();
    expect((await h.store.setStatus(jobId, 'running')).status).toBe('running');
  });

  it('abort with no live execution goes straight to aborted; a completed job cannot be aborted', async () => {
    const idle = uniqueJobId('abort-idle');
    expect((await h.store.requestAbort(idle, { by: 'alice' })).status).toBe('aborted');

    const crashed = await runningJob('abort-crashed');
    h.clock.advance(TTL + 1);
    expect((await h.store.requestAbort(crashed, { by: 'alice' })).status).toBe('aborted');

    const paused = await runningJob('abort-paused');
    await h.store.requestPause(paused, { reason: 'operator', by: 'alice' });
    await h.store.setStatus(paused, 'paused');
    await h.store.releaseLeaseOf(paused, `${paused}-exec`);
    expect((await h.store.requestAbort(paused, { by: 'alice' })).status).toBe('aborted');

    const done = uniqueJobId('abort-done');
    await h.putJob(done, 'completed');
    await expect(h.store.requestAbort(done, { by: 'alice' })).rejects.toThrow(
      /already completed; nothing to abort/,
    );
    expect(await h.rawJob(done)).not.toHaveProperty('abortRequest');
  });

  it('an abort under way cannot be cleared', async () => {
    const jobId = await runningJob('abort-underway');
    await h.store.requestAbort(jobId, { by: 'alice' });
    await expect(h.store.clearAbort(jobId, 'alice')).rejects.toThrow(/the abort is under way/);
    expect((await h.store.getJob(jobId))?.status).toBe('aborting');
  });

  it('records an approval with who and when, before the job ever ran', async () => {
    const jobId = uniqueJobId('approval');
    const state = await h.store.recordApproval(jobId, { by: 'dba-on-call', note: 'CHG-1234' });
    expect(state.approval).toEqual({
      by: 'dba-on-call',
      at: new Date(h.clock.ms).toISOString(),
      note: 'CHG-1234',
    });
    expect(state.status).toBe('idle');
    expect((await h.store.getJob(jobId))?.approval?.by).toBe('dba-on-call');
    await expect(h.store.recordApproval(jobId, { by: ' ' })).rejects.toThrow(/approver/);
  });

  it('the job item stays small however often pauses repeat', async () => {
    const jobId = await runningJob('small');
    for (let i = 0; i < 200; i++) {
      await h.store.requestPause(jobId, {
        reason: i % 2 ? 'operator' : 'alarm:cpu',
        by: `op-${i}`,
        message: 'x'.repeat(5000),
      });
    }
    const raw = await h.rawJob(jobId);
    expect(raw?.pauseRequests).toHaveLength(2);
    expect(JSON.stringify(raw).length).toBeLessThan(10_000);
  });
});
