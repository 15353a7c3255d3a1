import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Checkpoint, type Lease, LeaseLostError } from '../../src/control/types';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

const TTL = 60_000;

function checkpoint(batchNo: number, lastKey: string): Checkpoint {
  return {
    lastKey,
    batchNo,
    rowsDone: batchNo * 100,
    rowsScanned: batchNo * 120,
    sizer: { size: 100, recentMsPerRow: [0.5, 0.6] },
    at: new Date().toISOString(),
  };
}

function acquired(result: Awaited<ReturnType<ControlHarness['store']['acquireLease']>>): Lease {
  if (!result.acquired) throw new Error(`expected to acquire the lease, but it is held by ${result.heldBy}`);
  return result.lease;
}

describe('lease', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('ten concurrent acquirers: exactly one wins, the others are told who holds it', async () => {
    const jobId = uniqueJobId('contend');
    // Separate store instances, as ten Lambdas would have.
    const owners = Array.from({ length: 10 }, (_, i) => `exec-${i}`);
    const results = await Promise.all(owners.map((owner) => h.newStore().acquireLease(jobId, owner, TTL)));
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const winner = acquired(winners[0]!);
    expect(winner.token).toBe(1);
    expect(winner.expiresAt).toBe(h.clock.ms + TTL);
    for (const loser of results.filter((r) => !r.acquired)) {
      expect(loser).toEqual({ acquired: false, heldBy: winner.owner, expiresAt: winner.expiresAt });
    }
    const state = await h.store.getJob(jobId);
    expect(state?.lease).toEqual(winner);
    expect(state?.lastToken).toBe(1);
    expect(state?.status).toBe('idle');
  });

  it('ten concurrent takeovers of an expired lease: one wins, with the next token', async () => {
    const jobId = uniqueJobId('takeover');
    acquired(await h.store.acquireLease(jobId, 'crashed', 1000));
    h.clock.advance(1001);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.newStore().acquireLease(jobId, `next-${i}`, TTL)),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const winner = acquired(winners[0]!);
    expect(winner.token).toBe(2);
    for (const loser of results.filter((r) => !r.acquired)) {
      expect(loser).toMatchObject({ acquired: false, heldBy: winner.owner });
    }
  });

  it('renew and release by a non-owner fail and leave the lease alone', async () => {
    const jobId = uniqueJobId('nonowner');
    const lease = acquired(await h.store.acquireLease(jobId, 'owner-a', TTL));
    await expect(h.store.renewLease(jobId, { ...lease, owner: 'owner-b' }, TTL)).rejects.toThrow(
      LeaseLostError,
    );
    await expect(h.store.renewLease(jobId, { ...lease, token: lease.token + 7 }, TTL)).rejects.toThrow(
      /held by owner-a with token 1/,
    );
    expect(
      (
        await h.store.commit(jobId, {
          lease: { kind: 'release', lease: { owner: 'owner-b', token: lease.token } },
        })
      ).released,
    ).toBe(false);
    expect(
      (
        await h.store.commit(jobId, {
          lease: { kind: 'release', lease: { owner: 'owner-a', token: lease.token + 1 } },
        })
      ).released,
    ).toBe(false);
    expect(await h.store.releaseLeaseOf(jobId, 'owner-b')).toBe(false);
    expect((await h.store.getJob(jobId))?.lease).toEqual(lease);
    expect(await h.store.acquireLease(jobId, 'owner-b', TTL)).toMatchObject({
      acquired: false,
      heldBy: 'owner-a',
    });
  });

  it('after expiry another owner takes over with a higher token, and the old owner is fenced out', async () => {
    const jobId = uniqueJobId('expiry');
    const old = acquired(await h.store.acquireLease(jobId, 'exec-old', 5000));
    await h.store.saveCheckpoint(jobId, old, checkpoint(1, '100'));

    h.clock.advance(4999);
    expect(await h.store.acquireLease(jobId, 'exec-new', TTL)).toMatchObject({
      acquired: false,
      heldBy: 'exec-old',
    });
    h.clock.advance(2);
    const taken = acquired(await h.store.acquireLease(jobId, 'exec-new', TTL));
    expect(taken.token).toBeGreaterThan(old.token);

    await expect(h.store.saveCheckpoint(jobId, old, checkpoint(2, '200'))).rejects.toThrow(
      /held by exec-new with token 2/,
    );
    await expect(h.store.renewLease(jobId, old, TTL)).rejects.toThrow(LeaseLostError);
    expect((await h.store.commit(jobId, { lease: { kind: 'release', lease: old } })).released).toBe(false);

    await h.store.saveCheckpoint(jobId, taken, checkpoint(2, '250'));
    const state = await h.store.getJob(jobId);
    expect(state?.checkpoint).toMatchObject({ batchNo: 2, lastKey: '250', rowsDone: 200, rowsScanned: 240 });
    expect(state?.lease).toEqual(taken);
  });

  it('an expired lease nobody took over is still renewable: the token decides, not the clock', async () => {
    const jobId = uniqueJobId('late-renew');
    const lease = acquired(await h.store.acquireLease(jobId, 'slow', 1000));
    h.clock.advance(5000);
    const { job, ...renewed } = await h.store.renewLease(jobId, lease, TTL);
    expect(renewed).toEqual({ owner: 'slow', token: lease.token, expiresAt: h.clock.ms + TTL });
    // The job's state comes back with the renewal, so the health gate reads it without a second request.
    expect(job.lease).toEqual(renewed);
    await h.store.saveCheckpoint(jobId, lease, checkpoint(1, 'a'));
    expect((await h.store.getJob(jobId))?.lease).toEqual(renewed);
  });

  it('re-entrant acquisition by the same owner succeeds and raises the token, fencing the earlier one', async () => {
    const jobId = uniqueJobId('reentrant');
    const first = acquired(await h.store.acquireLease(jobId, 'exec-1', TTL));
    const again = acquired(await h.store.acquireLease(jobId, 'exec-1', TTL));
    expect(again.owner).toBe('exec-1');
    expect(again.token).toBe(first.token + 1);
    await expect(h.store.saveCheckpoint(jobId, first, checkpoint(1, 'x'))).rejects.toThrow(LeaseLostError);
    await h.store.saveCheckpoint(jobId, again, checkpoint(1, 'x'));

    // After its own expiry too: anyone could have taken it in between, so the token moves on.
    h.clock.advance(TTL + 1);
    const afterExpiry = acquired(await h.store.acquireLease(jobId, 'exec-1', TTL));
    expect(afterExpiry.token).toBe(again.token + 1);
  });

  it('the token never goes back, even across releases', async () => {
    const jobId = uniqueJobId('monotonic');
    const tokens: number[] = [];
    for (const owner of ['a', 'b', 'a', 'c']) {
      const lease = acquired(await h.store.acquireLease(jobId, owner, TTL));
      tokens.push(lease.token);
      expect((await h.store.commit(jobId, { lease: { kind: 'release', lease } })).released).toBe(true);
      expect((await h.store.commit(jobId, { lease: { kind: 'release', lease } })).released).toBe(false);
      await expect(h.store.saveCheckpoint(jobId, lease, checkpoint(1, 'k'))).rejects.toThrow(
        /no lease is held/,
      );
    }
    expect(tokens).toEqual([1, 2, 3, 4]);
    const state = await h.store.getJob(jobId);
    expect(state?.lease).toBeUndefined();
    expect(state?.lastToken).toBe(4);
  });

  it('releaseLeaseOf frees the lease of one execution only', async () => {
    const jobId = uniqueJobId('release-of');
    const lease = acquired(
      await h.store.acquireLease(jobId, 'arn:aws:states:eu-west-1:1:execution:sm:run-1', TTL),
    );
    expect(await h.store.releaseLeaseOf(jobId, 'arn:aws:states:eu-west-1:1:execution:sm:run-2')).toBe(false);
    expect((await h.store.getJob(jobId))?.lease).toEqual(lease);
    expect(await h.store.releaseLeaseOf(jobId, lease.owner)).toBe(true);
    expect((await h.store.getJob(jobId))?.lease).toBeUndefined();
    expect(await h.store.releaseLeaseOf(jobId, lease.owner)).toBe(false);
    // Free at once for the next execution, without waiting for the expiry.
    expect(acquired(await h.store.acquireLease(jobId, 'run-3', TTL)).token).toBe(2);
    // No item is created for a job that never ran.
    expect(await h.store.releaseLeaseOf(uniqueJobId('never-ran'), 'anyone')).toBe(false);
  });

  it('transferLease hands the lease to a successor that then acquires it re-entrantly', async () => {
    const jobId = uniqueJobId('handover');
    const gen1 = acquired(await h.store.acquireLease(jobId, 'job-g1', TTL));
    const handed = (
      await h.store.commit(jobId, { lease: { kind: 'transfer', lease: gen1, to: 'job-g2', ttlMs: TTL } })
    ).state.lease;
    expect(handed).toMatchObject({ owner: 'job-g2', token: gen1.token + 1 });
    expect(await h.store.acquireLease(jobId, 'scheduler-start', TTL)).toMatchObject({
      acquired: false,
      heldBy: 'job-g2',
    });
    const gen2 = acquired(await h.store.acquireLease(jobId, 'job-g2', TTL));
    expect(gen2.token).toBe(handed!.token + 1);
    await expect(h.store.saveCheckpoint(jobId, gen1, checkpoint(3, 'z'))).rejects.toThrow(LeaseLostError);
    await expect(
      h.store.commit(jobId, { lease: { kind: 'transfer', lease: gen1, to: 'job-g3', ttlMs: TTL } }),
    ).rejects.toThrow(LeaseLostError);
  });

  it('refuses nonsense input with a message saying what to change', async () => {
    await expect(h.store.acquireLease('Bad_Id', 'x', TTL)).rejects.toThrow(/lowercase letters, digits and -/);
    await expect(h.store.acquireLease(uniqueJobId('input'), '', TTL)).rejects.toThrow(/lease owner must be/);
    await expect(h.store.acquireLease(uniqueJobId('input'), 'x', 0)).rejects.toThrow(/lease ttl must be/);
  });
});
