import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobNotFoundError } from '../../src/control/errors';
import { allowedFrom, assertTransition, canTransition, JOB_STATUSES } from '../../src/control/status';
import { IllegalTransitionError, type JobStatus } from '../../src/control/types';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

/**
 * The lifecycle written out by hand, independently of status.ts: a change to the table must be
 * made in both places, on purpose. Moves to the same status are legal too (idempotent retries).
 */
const LEGAL = new Set([
  'idle>running',
  'idle>paused',
  'idle>aborted',
  'idle>failed',
  'running>pausing',
  'running>paused',
  'running>aborting',
  'running>aborted',
  'running>completed',
  'running>failed',
  'running>idle',
  'pausing>running',
  'pausing>paused',
  'pausing>aborting',
  'pausing>aborted',
  'pausing>completed',
  'pausing>failed',
  'paused>running',
  'paused>aborting',
  'paused>aborted',
  'paused>failed',
  'aborting>aborted',
  'aborting>failed',
  'aborted>idle',
  'failed>running',
  'failed>aborted',
  'completed>running',
  'completed>failed',
]);

const PAIRS = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as [JobStatus, JobStatus]));
const isLegal = (from: JobStatus, to: JobStatus) => from === to || LEGAL.has(`${from}>${to}`);

describe('the transition table', () => {
  it.each(PAIRS)('%s -> %s is decided as written', (from, to) => {
    expect(canTransition(from, to)).toBe(isLegal(from, to));
    if (isLegal(from, to)) expect(() => assertTransition('job', from, to)).not.toThrow();
    else expect(() => assertTransition('job', from, to)).toThrow(IllegalTransitionError);
    expect(allowedFrom(to).includes(from)).toBe(isLegal(from, to));
  });

  it('an illegal move says where the job may go instead', () => {
    expect(() => assertTransition('nightly-purge', 'aborted', 'running')).toThrow(
      "job 'nightly-purge' cannot go from aborted to running: from aborted it may go to idle",
    );
  });
});

describe('setStatus on the control table', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('every legal transition is written and every illegal one refused, leaving the item as it was', async () => {
    const outcomes = await Promise.all(
      PAIRS.map(async ([from, to]) => {
        const jobId = uniqueJobId('pair');
        await h.putJob(jobId, from, { statusReason: 'before' });
        const before = await h.rawJob(jobId);
        const result = await h.store.setStatus(jobId, to, `to ${to}`).then(
          (state) => ({ ok: true as const, state }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const after = await h.rawJob(jobId);
        return { from, to, result, before, after };
      }),
    );
    for (const { from, to, result, before, after } of outcomes) {
      if (isLegal(from, to)) {
        expect(result.ok, `${from} -> ${to} should be allowed`).toBe(true);
        if (result.ok) expect(result.state).toMatchObject({ status: to, statusReason: `to ${to}` });
        expect(after).toMatchObject({ status: to, statusReason: `to ${to}` });
      } else {
        expect(result.ok, `${from} -> ${to} should be refused`).toBe(false);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(IllegalTransitionError);
          expect(result.error).toMatchObject({ from, to });
        }
        expect(after).toEqual(before);
      }
    }
    expect(outcomes.filter((o) => o.result.ok)).toHaveLength(LEGAL.size + JOB_STATUSES.length);
  });

  it('a move to running is refused while an abort request stands', async () => {
    const jobId = uniqueJobId('abort-guard');
    await h.putJob(jobId, 'failed', { abortRequest: { by: 'alice', at: '2025-03-01T01:00:00.000Z' } });
    await expect(h.store.setStatus(jobId, 'running')).rejects.toThrow(
      /cannot go from failed to running: alice asked for an abort at 2025-03-01T01:00:00.000Z; clear it/,
    );
    expect((await h.store.getJob(jobId))?.status).toBe('failed');
    await h.store.setStatus(jobId, 'aborted', 'operator gave up');
    expect((await h.store.getJob(jobId))?.status).toBe('aborted');
  });

  it('racing transitions from one status: exactly one wins', async () => {
    const jobId = uniqueJobId('race');
    await h.putJob(jobId, 'running');
    // completed and aborting are both legal from running, and neither from the other.
    const results = await Promise.allSettled([
      h.newStore().setStatus(jobId, 'completed'),
      h.newStore().setStatus(jobId, 'aborting'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(IllegalTransitionError);
    const winner = results.find((r) => r.status === 'fulfilled');
    const status = (await h.store.getJob(jobId))?.status;
    expect(winner?.status === 'fulfilled' && winner.value.status).toBe(status);
  });

  it('a walk through a whole life keeps the reason of the latest move', async () => {
    const jobId = uniqueJobId('life');
    await h.store.ensureJob(jobId);
    for (const to of ['running', 'pausing', 'paused', 'running', 'completed', 'running', 'failed'] as const) {
      await h.store.setStatus(jobId, to, `now ${to}`);
    }
    const state = await h.store.getJob(jobId);
    expect(state).toMatchObject({ status: 'failed', statusReason: 'now failed' });
    await h.store.setStatus(jobId, 'failed');
    expect((await h.store.getJob(jobId))?.statusReason).toBeUndefined();
  });

  it('refuses a status change for a job that has no item', async () => {
    const jobId = uniqueJobId('missing');
    await expect(h.store.setStatus(jobId, 'running')).rejects.toThrow(JobNotFoundError);
    expect(await h.rawJob(jobId)).toBeUndefined();
  });
});
