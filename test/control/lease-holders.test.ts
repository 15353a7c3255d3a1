import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseHolder, LocalLeaseHolders } from '../../src/control/types';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

const TTL = 600_000;

/** Local stores, each a process; `gone` is the set of processes that have died. */
function processes() {
  const gone = new Set<number>();
  const holders = (pid: number): LocalLeaseHolders => ({
    self: { host: 'this-host', pid, start: `start-${pid}` },
    isGone: (holder: LeaseHolder) => gone.has(holder.pid),
  });
  return { gone, holders };
}

describe('leases held by local processes', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a lease names its process; while that process lives, the lease holds for its ttl', async () => {
    const { holders } = processes();
    const jobId = uniqueJobId('live-holder');
    const first = await h.newStore({ holders: holders(101) }).acquireLease(jobId, 'run-a', TTL);
    expect(first).toMatchObject({ acquired: true, lease: { holder: { pid: 101, start: 'start-101' } } });
    const second = await h.newStore({ holders: holders(102) }).acquireLease(jobId, 'run-b', TTL);
    expect(second).toMatchObject({ acquired: false, heldBy: 'run-a' });
  });

  it('the lease of a dead process is taken over at once, with a new fencing token', async () => {
    const { gone, holders } = processes();
    const jobId = uniqueJobId('dead-holder');
    const dead = await h.newStore({ holders: holders(201) }).acquireLease(jobId, 'run-a', TTL);
    if (!dead.acquired) throw new Error('the first run could not take the lease');
    gone.add(201);
    const next = h.newStore({ holders: holders(202) });
    const taken = await next.acquireLease(jobId, 'run-b', TTL);
    expect(taken).toMatchObject({ acquired: true, lease: { owner: 'run-b', token: dead.lease.token + 1 } });
    // The dead run's writes are fenced off: its token is no longer the lease's.
    await expect(
      next.saveCheckpoint(jobId, dead.lease, {
        lastKey: '9',
        batchNo: 9,
        rowsDone: 9,
        rowsScanned: 9,
        sizer: { size: 1, recentMsPerRow: [] },
        at: new Date().toISOString(),
      }),
    ).rejects.toThrow(/lease token 1/);
  });

  it('a store that cannot judge processes (AWS) leaves such a lease to its ttl', async () => {
    const { gone, holders } = processes();
    const jobId = uniqueJobId('aws-judge');
    await h.newStore({ holders: holders(301) }).acquireLease(jobId, 'run-a', TTL);
    gone.add(301);
    expect(await h.newStore().acquireLease(jobId, 'run-b', TTL)).toMatchObject({ acquired: false });
  });

  it('abort of a job whose process died lands as aborted; one left aborting settles or clears', async () => {
    const { gone, holders } = processes();
    const store = h.newStore({ holders: holders(400) });
    const killed = uniqueJobId('abort-dead');
    await h.newStore({ holders: holders(401) }).acquireLease(killed, 'run-a', TTL);
    await store.setStatus(killed, 'running');
    gone.add(401);
    expect(store.leaseIsLive((await store.getJob(killed))!)).toBe(false);
    expect((await store.requestAbort(killed, { by: 'ops' })).status).toBe('aborted');

    const orphan = uniqueJobId('aborting-dead');
    await h.newStore({ holders: holders(402) }).acquireLease(orphan, 'run-b', TTL);
    await store.setStatus(orphan, 'running');
    expect((await store.requestAbort(orphan, { by: 'ops' })).status).toBe('aborting');
    gone.add(402);
    expect((await store.settleOrphaned(orphan))?.status).toBe('aborted');

    const cleared = uniqueJobId('aborting-cleared');
    await h.newStore({ holders: holders(403) }).acquireLease(cleared, 'run-c', TTL);
    await store.setStatus(cleared, 'running');
    await store.requestAbort(cleared, { by: 'ops' });
    await expect(store.clearAbort(cleared, 'ops')).rejects.toThrow(/abort is under way/);
    gone.add(403);
    expect(await store.clearAbort(cleared, 'ops')).toMatchObject({ status: 'idle' });
    expect((await store.getJob(cleared))?.abortRequest).toBeUndefined();
  });

  it('a pause pending when its process died takes effect', async () => {
    const { gone, holders } = processes();
    const store = h.newStore({ holders: holders(500) });
    const jobId = uniqueJobId('pausing-dead');
    await h.newStore({ holders: holders(501) }).acquireLease(jobId, 'run-a', TTL);
    await store.setStatus(jobId, 'running');
    expect((await store.requestPause(jobId, { reason: 'operator', by: 'ops' })).status).toBe('pausing');
    gone.add(501);
    expect((await store.settleOrphaned(jobId))?.status).toBe('paused');
    expect(await store.settleOrphaned(uniqueJobId('never-ran'))).toBeUndefined();
  });
});
