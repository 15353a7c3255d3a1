import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows, remaining } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 2_000;

describe.each(ENGINES)('abort on %s', (engine) => {
  // One transaction per apply step: the abort the health gate takes between steps (an apply step
  // reads requests between its transactions too: test/e2e/pause-mid-invocation.test.ts).
  const job = backfillJob(engine, {
    batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
    health: { pauseBetweenBatchesMs: 1000 },
  });

  const e2e = useE2e(engine, [job], {
    msPerSecond: 50,
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
  });

  it('stops after the current batch: status aborted, lease released, the rest untouched; a new start is refused', async () => {
    const { runtime } = e2e.rt;
    let requested = false;
    runtime.onEvent((event) => {
      if (event.type === 'batch-applied' && event.batch.batchNo === 2 && !requested) {
        requested = true;
        void runtime.store.requestAbort(job.id, { by: 'bob', reason: 'wrong predicate' });
      }
    });
    const result = await runtime.run({ jobId: job.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Aborted' });

    const state = await runtime.store.getJob(job.id);
    expect(state?.status).toBe('aborted');
    expect(state?.lease).toBeUndefined();
    expect((await runtime.store.listRuns(job.id))[0]).toMatchObject({ outcome: 'aborted' });
    const ledger = await ledgerRows(e2e.db.raw, job.id);
    const applied = Number(ledger.at(-1)!.rows_done);
    expect(Number(ledger.at(-1)!.batch_no)).toBeLessThanOrEqual(3);
    expect((await appliedCounts(e2e.db.raw)).byCount[1]).toBe(applied);
    expect(await remaining(e2e.db.raw)).toBeGreaterThan(0);

    const again = await runtime.run({ jobId: job.id });
    expect(again.exit).toBe('Blocked');
    expect(JSON.stringify(again.output)).toMatch(/aborted/);
    expect((await appliedCounts(e2e.db.raw)).byCount[1]).toBe(applied);
  });
});
