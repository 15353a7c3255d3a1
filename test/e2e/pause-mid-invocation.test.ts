import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { waitUntil } from '../support/replicas/wait-until';
import { appliedCounts, backfillJob, ledgerRows, remaining } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 8_000;

/**
 * A pause request recorded while an apply step is in the middle of its transactions: the step
 * stops after the transaction in flight, and the run ends Paused, within a second of the request
 * (the step reads requests every 250 ms; src/runtime/runnable/between-transactions.ts).
 */
describe.each(ENGINES)('a pause mid-invocation on %s', (engine) => {
  // Fixed, small transactions and the longest budget: left alone, one step would run them all.
  const batch = { size: 10, min: 10, max: 10, targetMs: 50, invocationBudgetMs: 20_000 };
  const job = backfillJob(engine, { batch });
  const aborted = backfillJob(engine, { id: 'abort-mid-step', table: 'accounts_abort', batch });

  const e2e = useE2e(engine, [job, aborted], {
    prepare: async (db) => {
      await createAccounts(db.raw, engine, ROWS);
      await createAccounts(db.raw, engine, ROWS, 'accounts_abort');
    },
  });

  it('an abort recorded mid-step stops it after its current transaction, and the run ends Aborted', async () => {
    const { runtime } = e2e.rt;
    const applySteps: number[] = [];
    const off = runtime.onEvent((event) => {
      if (event.type === 'task-succeeded' && event.state === 'ApplyBatch') applySteps.push(performance.now());
    });
    const run = runtime.run({ jobId: aborted.id });
    await waitUntil(
      'the first apply step to commit three transactions',
      async () => ((await ledgerRows(e2e.db.raw, aborted.id)).length >= 3 ? true : undefined),
      { intervalMs: 5 },
    );
    await runtime.store.requestAbort(aborted.id, { by: 'bob', reason: 'wrong predicate' });
    const recordedAt = performance.now();
    const result = await run;
    off();
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Aborted' });
    expect(applySteps).toHaveLength(1);
    expect(applySteps[0]! - recordedAt).toBeLessThan(1000);
    const ledger = await ledgerRows(e2e.db.raw, aborted.id);
    expect(await remaining(e2e.db.raw, 'accounts_abort')).toBeGreaterThan(0);
    const state = await runtime.store.getJob(aborted.id);
    expect(state?.status).toBe('aborted');
    expect(state?.checkpoint).toMatchObject({ batchNo: ledger.length });
    expect((await appliedCounts(e2e.db.raw, 'accounts_abort')).byCount[1]).toBe(
      Number(ledger.at(-1)!.rows_done),
    );
  });

  it('stops the step after its current transaction, and the run ends Paused, within a second', async () => {
    const { runtime } = e2e.rt;
    const applySteps: { readonly at: number; readonly decision?: string }[] = [];
    const off = runtime.onEvent((event) => {
      if (event.type === 'task-succeeded' && event.state === 'ApplyBatch')
        applySteps.push({ at: performance.now(), decision: event.decision });
    });
    const run = runtime.run({ jobId: job.id });

    // The event to act on: the first step has committed a few transactions and is still going.
    await waitUntil(
      'the first apply step to commit three transactions',
      async () => ((await ledgerRows(e2e.db.raw, job.id)).length >= 3 ? true : undefined),
      { intervalMs: 5 },
    );
    expect(applySteps).toHaveLength(0);
    await runtime.store.requestPause(job.id, { reason: 'operator', by: 'alice', message: 'mid-step' });
    const recordedAt = performance.now();

    const paused = await run;
    off();
    expect(paused).toMatchObject({ status: 'SUCCEEDED', exit: 'Paused' });
    expect(paused.output).toMatchObject({ stop: { outcome: 'paused' } });

    // One apply step, which ended on the request: generous against the 250 ms request interval.
    expect(applySteps).toHaveLength(1);
    expect(applySteps[0]!.decision).toBe('applied');
    expect(applySteps[0]!.at - recordedAt).toBeLessThan(1000);

    // It ran several transactions, each with its own ledger row, and stopped well before the end.
    const ledger = await ledgerRows(e2e.db.raw, job.id);
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));
    expect(await remaining(e2e.db.raw)).toBeGreaterThan(0);
    const [step] = await runtime.store.listBatches(job.id, 10);
    expect(step).toMatchObject({ firstBatchNo: 1, batchNo: ledger.length, transactions: ledger.length });
    const state = await runtime.store.getJob(job.id);
    expect(state?.status).toBe('paused');
    expect(state?.checkpoint).toMatchObject({
      batchNo: ledger.length,
      lastKey: String(ledger.at(-1)!.last_key),
      rowsDone: Number(ledger.at(-1)!.rows_done),
    });

    // Resumed, it finishes; every target changed exactly once across the two runs.
    await runtime.store.clearPause(job.id, 'operator');
    const resumed = await runtime.run({ jobId: job.id });
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const counts = await appliedCounts(e2e.db.raw);
    const targets = backfillTargets(ROWS);
    expect(counts.byCount).toEqual({ 0: ROWS - targets, 1: targets });
    expect(counts.legacyTouched).toBe(0);
  });
});
