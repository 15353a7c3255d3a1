import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 20_000;

describe.each(ENGINES)('a backfill through the state machine on %s', (engine) => {
  // Short transactions and a short invocation budget: several apply steps of several transactions.
  const job = backfillJob(engine, {
    batch: { size: 500, min: 100, max: 2000, targetMs: 50, invocationBudgetMs: 400 },
  });

  const e2e = useE2e(engine, [job], {
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
  });

  it('completes 20,000 rows: each target changed once, ledger and checkpoint agree, history and metrics kept', async () => {
    const result = await e2e.rt.runtime.run({ jobId: job.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });

    const targets = backfillTargets(ROWS);
    const counts = await appliedCounts(e2e.db.raw);
    expect(counts.byCount).toEqual({ 0: ROWS - targets, 1: targets });
    expect(counts.legacyTouched).toBe(0);

    const { store, metrics } = e2e.rt.runtime;
    const state = await store.getJob(job.id);
    expect(state?.status).toBe('completed');
    expect(state?.lease).toBeUndefined();

    const ledger = await ledgerRows(e2e.db.raw, job.id);
    const head = ledger.at(-1)!;
    expect(Number(head.rows_done)).toBe(targets);
    expect(state?.checkpoint).toMatchObject({
      batchNo: Number(head.batch_no),
      lastKey: String(head.last_key),
      rowsDone: targets,
    });
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));

    // One history record per apply step; together they cover every ledger row exactly once.
    const steps = (await store.listBatches(job.id, 1000)).reverse();
    expect(steps.reduce((sum, b) => sum + b.affected, 0)).toBe(targets);
    expect(steps.reduce((sum, b) => sum + (b.transactions ?? 1), 0)).toBe(ledger.length);
    const covered = steps.flatMap((b) =>
      Array.from({ length: b.batchNo - b.firstBatchNo! + 1 }, (_, i) => b.firstBatchNo! + i),
    );
    expect(covered).toEqual(ledger.map((r) => Number(r.batch_no)));
    for (const b of steps) expect(b.transactions).toBe(b.batchNo - b.firstBatchNo! + 1);
    // Each apply step ran several transactions, each its own batch with its own ledger row.
    expect(steps.some((b) => b.transactions! > 1)).toBe(true);
    expect(steps.length).toBeLessThan(ledger.length);
    for (const b of steps) {
      expect(b.longestTransactionMs).toBeLessThanOrEqual(b.durationMs);
      // The budget: no transaction starts once it is spent, so a step overruns it by at most its
      // last transaction and the re-reads after it (a generous allowance on a busy machine).
      expect(b.durationMs).toBeLessThanOrEqual(400 + b.longestTransactionMs! + 1000);
      expect(b.blockedSessions).toBe(0);
    }
    const runs = await store.listRuns(job.id);
    expect(runs[0]).toMatchObject({ executionId: result.executionArn, outcome: 'completed' });

    expect(metrics.sum(job.id, 'RowsApplied')).toBe(targets);
    expect(metrics.values(job.id, 'BatchDuration')).toHaveLength(steps.length);
    expect(metrics.sum(job.id, 'Transactions')).toBe(ledger.length);
    expect(metrics.values(job.id, 'BlockedSessions')).toEqual(steps.map(() => 0));
    expect(metrics.values(job.id, 'RowsScanned').reduce((a, b) => a + b, 0)).toBe(targets);
  });
});
