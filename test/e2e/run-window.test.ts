import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows, remaining } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 1_000;

describe.each(ENGINES)('the end of the run window on %s', (engine) => {
  // One transaction per apply step, paced: the window and the budget are the health gate's to
  // see between steps (an apply step also stops on them between its transactions).
  const pacing = {
    batch: { size: 40, min: 40, max: 40, targetMs: 100, invocationBudgetMs: 0 },
    health: { pauseBetweenBatchesMs: 3000 },
  };
  const windowed = backfillJob(engine, { id: 'windowed', table: 'accounts_w', ...pacing });
  const budgeted = backfillJob(engine, {
    id: 'budgeted',
    table: 'accounts_b',
    ...pacing,
    limits: { maxRuntimeSeconds: 3 },
  });

  // A second of pacing lasts 100 ms here: a run of 20 batches takes six seconds or more, while the
  // window and the budget end after three, late enough for a loaded machine to have applied batches.
  const e2e = useE2e(engine, [windowed, budgeted], {
    msPerSecond: 100,
    prepare: async (db) => {
      await createAccounts(db.raw, engine, ROWS, 'accounts_w');
      await createAccounts(db.raw, engine, ROWS, 'accounts_b');
    },
  });

  async function expectCheckpointedStop(jobId: string, table: string) {
    const state = await e2e.rt.runtime.store.getJob(jobId);
    expect(state?.status).toBe('idle');
    expect(state?.lease).toBeUndefined();
    const ledger = await ledgerRows(e2e.db.raw, jobId);
    expect(ledger.length).toBeGreaterThan(0);
    expect(state?.checkpoint).toMatchObject({
      batchNo: ledger.length,
      lastKey: String(ledger.at(-1)!.last_key),
    });
    expect(await remaining(e2e.db.raw, table)).toBeGreaterThan(0);
    expect((await e2e.rt.runtime.store.listRuns(jobId))[0]).toMatchObject({ outcome: 'window-closed' });
  }

  async function expectResumedToTheEnd(jobId: string, table: string) {
    const next = await e2e.rt.runtime.run({ jobId });
    expect(next).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw, table)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
    const batchNos = (await ledgerRows(e2e.db.raw, jobId)).map((r) => Number(r.batch_no));
    expect(batchNos).toEqual(batchNos.map((_, i) => i + 1));
  }

  it('stops cleanly and checkpointed when the window ends mid-run; the next run resumes', async () => {
    const endsAt = new Date(Date.now() + 3000).toISOString();
    const result = await e2e.rt.runtime.run({ jobId: windowed.id, window: { endsAt } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'WindowClosed' });
    expect(result.output).toMatchObject({ windowEndsAt: endsAt, stop: { outcome: 'window-closed' } });
    expect(JSON.stringify(result.output?.health)).toMatch(/run window ended/);
    await expectCheckpointedStop(windowed.id, 'accounts_w');
    await expectResumedToTheEnd(windowed.id, 'accounts_w');
  });

  it('stops the same way when the runtime budget (limits.maxRuntimeSeconds) is used up', async () => {
    const result = await e2e.rt.runtime.run({ jobId: budgeted.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'WindowClosed' });
    expect(JSON.stringify(result.output?.health)).toMatch(/runtime budget of 3s used/);
    await expectCheckpointedStop(budgeted.id, 'accounts_b');
  });

  it('computes the window from the scheduled time and duration the scheduler passes', async () => {
    const scheduledAt = new Date(Date.now() - 60 * 60_000).toISOString();
    const result = await e2e.rt.runtime.run({
      jobId: budgeted.id,
      window: { scheduledAt, durationMinutes: 30 },
    });
    expect(result.exit).toBe('WindowClosed');
    expect(result.output?.windowEndsAt).toBe(new Date(Date.parse(scheduledAt) + 30 * 60_000).toISOString());
    expect(JSON.stringify(result.output?.health)).toMatch(/run window ended/);
  });
});
