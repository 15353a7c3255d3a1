import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows, remaining } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 2_000;

describe.each(ENGINES)('operator pause and resume on %s', (engine) => {
  // One transaction per apply step: this is the pause the health gate takes between steps
  // (a pause mid-step is test/e2e/pause-mid-invocation.test.ts).
  const job = backfillJob(engine, {
    batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
    // One second between batches, scaled to 50 ms: time for the request to land before the next gate.
    health: { pauseBetweenBatchesMs: 1000 },
  });

  const e2e = useE2e(engine, [job], {
    msPerSecond: 50,
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
  });

  it('ends Paused after the current batch with a checkpoint; a new execution resumes and completes', async () => {
    const { runtime } = e2e.rt;
    let requestedAt: number | undefined;
    const off = runtime.onEvent((event) => {
      if (event.type === 'batch-applied' && event.batch.batchNo === 3 && requestedAt === undefined) {
        requestedAt = event.batch.batchNo;
        void runtime.store.requestPause(job.id, { reason: 'operator', by: 'alice', message: 'peak traffic' });
      }
    });
    const paused = await runtime.run({ jobId: job.id });
    off();
    expect(paused).toMatchObject({ status: 'SUCCEEDED', exit: 'Paused' });
    expect(paused.output).toMatchObject({ stop: { outcome: 'paused' } });

    const state = await runtime.store.getJob(job.id);
    expect(state?.status).toBe('paused');
    expect(state?.lease).toBeUndefined();
    expect(state?.pauseRequests.map((r) => r.reason)).toEqual(['operator']);
    const ledger = await ledgerRows(e2e.db.raw, job.id);
    const stoppedAt = Number(ledger.at(-1)!.batch_no);
    // After the batch in flight when the request arrived, and no further.
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(stoppedAt).toBeLessThanOrEqual(4);
    expect(state?.checkpoint).toMatchObject({ batchNo: stoppedAt, lastKey: String(ledger.at(-1)!.last_key) });
    expect(await remaining(e2e.db.raw)).toBeGreaterThan(0);

    // Started again without a resume: it stays paused and touches nothing.
    const stillPaused = await runtime.run({ jobId: job.id });
    expect(stillPaused.exit).toBe('Paused');
    expect(Number((await ledgerRows(e2e.db.raw, job.id)).at(-1)!.batch_no)).toBe(stoppedAt);

    await runtime.store.clearPause(job.id, 'operator');
    const resumed = await runtime.run({ jobId: job.id });
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });

    const targets = backfillTargets(ROWS);
    const counts = await appliedCounts(e2e.db.raw);
    expect(counts.byCount).toEqual({ 0: ROWS - targets, 1: targets });
    expect(counts.legacyTouched).toBe(0);
    const batchNos = (await ledgerRows(e2e.db.raw, job.id)).map((r) => Number(r.batch_no));
    expect(batchNos).toEqual(batchNos.map((_, i) => i + 1));
    expect((await runtime.store.getJob(job.id))?.status).toBe('completed');
  });
});
