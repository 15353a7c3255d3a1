import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lease, LeaseLostError } from '../../src/control/types';
import { fail } from '../../src/run/fail';
import { finish } from '../../src/run/finish';
import { stop } from '../../src/run/stop';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

const TTL = 60_000;

describe('commit: the lifecycle transitions on the job item', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function running(jobId: string, owner: string): Promise<Lease> {
    const result = await h.store.acquireLease(jobId, owner, TTL);
    if (!result.acquired) throw new Error('expected the lease');
    await h.store.setStatus(jobId, 'running');
    await h.store.startRun(jobId, owner);
    return result.lease;
  }

  it('a pause stop records the request, pauses, releases the lease and ends the run', async () => {
    const jobId = uniqueJobId('stop');
    const lease = await running(jobId, 'exec-a');
    const stopRequest = { outcome: 'paused' as const, reason: 'lock timeouts', pauseReason: 'lock-timeouts' };
    const { state, released } = await h.store.commit(
      jobId,
      stop({ stop: stopRequest, reason: 'lock timeouts', lease, executionId: 'exec-a' }),
    );
    expect(released).toBe(true);
    expect(state).toMatchObject({ status: 'paused', statusReason: 'lock timeouts' });
    expect(state.lease).toBeUndefined();
    expect(state.pauseRequests.map((r) => r.reason)).toEqual(['lock-timeouts']);
    expect((await h.store.listRuns(jobId))[0]).toMatchObject({ outcome: 'paused', reason: 'lock timeouts' });
  });

  it('a window closing on a pausing job leaves it paused', async () => {
    const jobId = uniqueJobId('window');
    const lease = await running(jobId, 'exec-w');
    await h.store.requestPause(jobId, { reason: 'operator', by: 'op' });
    const stopRequest = { outcome: 'window-closed' as const, reason: 'window ended' };
    const { state } = await h.store.commit(
      jobId,
      stop({ stop: stopRequest, reason: 'window ended', lease, executionId: 'exec-w' }),
    );
    expect(state.status).toBe('paused');
  });

  it('a continuation hands the lease to the successor with a raised token; a stale one is refused', async () => {
    const jobId = uniqueJobId('continue');
    const parent = 'arn:aws:states:eu-west-1:123456789012:execution:maintenance:job-r1-g0';
    const child = 'arn:aws:states:eu-west-1:123456789012:execution:maintenance:job-r1-g1';
    const lease = await running(jobId, parent);
    const continued = { outcome: 'continued' as const, reason: 'long history' };
    const successor = { name: 'job-r1-g1', ttlMs: TTL };
    const { state } = await h.store.commit(
      jobId,
      stop({ stop: continued, reason: 'long history', lease, executionId: parent, successor }),
    );
    expect(state.lease).toMatchObject({ owner: child, token: lease.token + 1 });
    expect(state).toMatchObject({ status: 'running', lastToken: lease.token + 1 });
    await expect(
      h.store.commit(
        jobId,
        stop({ stop: continued, reason: 'again', lease, executionId: parent, successor }),
      ),
    ).rejects.toThrow(LeaseLostError);
    await expect(
      h.store.commit(
        jobId,
        stop({ stop: continued, reason: 'again', lease, executionId: parent, successor }),
      ),
    ).rejects.toThrow(`held by ${child} with token 2`);
    const again = await h.store.acquireLease(jobId, child, TTL);
    expect(again).toMatchObject({ acquired: true, lease: { owner: child, token: lease.token + 2 } });
  });

  it('a stale execution failing never overwrites the live owner’s status, and keeps its lease', async () => {
    const jobId = uniqueJobId('stale-fail');
    const stale = await running(jobId, 'exec-old');
    h.clock.advance(TTL + 1);
    const live = await h.store.acquireLease(jobId, 'exec-new', TTL);
    expect(live.acquired).toBe(true);
    const { state, released } = await h.store.commit(
      jobId,
      fail({ reason: 'Boom: x', lease: stale, executionId: 'exec-old' }),
    );
    expect(released).toBe(false);
    expect(state.status).toBe('running');
    expect(state.lease?.owner).toBe('exec-new');
  });

  it('a failure releases the lease handed to a successor that never started', async () => {
    const jobId = uniqueJobId('fail-successor');
    const lease = await running(jobId, 'exec-p');
    await h.store.commit(jobId, { lease: { kind: 'transfer', lease, to: 'exec-s', ttlMs: TTL } });
    const { state, released } = await h.store.commit(
      jobId,
      fail({ reason: 'Boom', lease, executionId: 'exec-p', unstartedSuccessor: 'exec-s' }),
    );
    expect(released).toBe(true);
    expect(state).toMatchObject({ status: 'failed', statusReason: 'Boom' });
    expect(state.lease).toBeUndefined();
  });

  it('finishing a job with an abort request ends it aborted, every row applied', async () => {
    const jobId = uniqueJobId('finish');
    const lease = await running(jobId, 'exec-f');
    const job = await h.store.requestAbort(jobId, { by: 'op' });
    const { outcome, transition } = finish({
      job,
      lease,
      executionId: 'exec-f',
      summary: '10 rows in 1 batches',
    });
    expect(outcome).toBe('aborted');
    const { state } = await h.store.commit(jobId, transition);
    expect(state).toMatchObject({
      status: 'aborted',
      statusReason: 'abort requested as the last batch finished; all 10 rows in 1 batches applied',
    });
    expect((await h.store.listRuns(jobId))[0]).toMatchObject({
      outcome: 'aborted',
      reason: '10 rows in 1 batches',
    });
  });
});
