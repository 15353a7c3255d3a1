import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts, TIER_EXPRESSION } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';
import { waitUntil } from '../support/replicas/wait-until';
import { slowChangeRunning, slowNote } from '../support/slow-change';
import { appliedCounts, backfillJob } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 100;
const SIZE = 10;

/**
 * An application session waits on a row a running transaction of lowtide's holds: the apply
 * step's history record and metrics say so, and the next transaction is half the size.
 */
describe.each(ENGINES)('the foreground-impact signal through the state machine on %s', (engine) => {
  // The lock-hold target is above the slow transactions, so only the signal cuts their size.
  const job = backfillJob(engine, {
    id: 'impact-gated',
    set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1', note: slowNote(engine) },
    batch: { size: SIZE, min: 2, max: SIZE, targetMs: 2000, invocationBudgetMs: 3000 },
    limits: { lockTimeoutMs: 3000, statementTimeoutMs: 5000 },
  });
  const e2e = useE2e(engine, [job], { prepare: (db) => createAccounts(db.raw, engine, ROWS) });

  it('records the blocked session in history and metrics, and halves the next transaction', async () => {
    const { runtime } = e2e.rt;
    const observer = await connectRaw(e2e.db.testDb);
    const app = await connectRaw(e2e.db.testDb);
    try {
      const run = runtime.run({ jobId: job.id });
      // The second transaction is under way (the first committed), holding its first row.
      await waitUntil('the first transaction to commit', async () => {
        const [row] = await observer.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM lowtide_ledger WHERE job_id = '${job.id}'`,
        );
        return Number(row!.n) >= 1 ? true : undefined;
      });
      await waitUntil('the next transaction to hold its first row', async () =>
        (await slowChangeRunning(observer, engine, 200)) ? true : undefined,
      );
      const [head] = await observer.query<{ last: unknown; n: unknown }>(
        `SELECT max(CAST(last_key AS ${engine === 'postgres' ? 'bigint' : 'signed'})) AS last, count(*) AS n
           FROM lowtide_ledger WHERE job_id = '${job.id}'`,
      );
      const [next] = await observer.query<{ id: unknown }>(
        `SELECT min(id) AS id FROM accounts WHERE tier IS NULL AND id > ${Number(head!.last)}`,
      );
      // The application updates the row the running transaction changed first: it waits for the commit.
      await app.query(`UPDATE accounts SET note = 'application' WHERE id = ${Number(next!.id)}`);
      const blockedBatchNo = Number(head!.n) + 1;

      expect(await run).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });

      const steps = await runtime.store.listBatches(job.id, 100);
      const blocked = steps.find((s) => (s.blockedSessions ?? 0) > 0);
      expect(blocked).toBeDefined();
      expect(blocked!.blockedSessions).toBe(1);
      expect(blocked!.longestBlockedWaitMs).toBeGreaterThan(0);
      // The transaction that was running when the application's update went in, or (when it
      // committed just before: the machine may be slow) the next one.
      expect(blocked!.firstBatchNo).toBeLessThanOrEqual(blockedBatchNo + 1);
      expect(blocked!.batchNo).toBeGreaterThanOrEqual(blockedBatchNo);
      expect(runtime.metrics.values(job.id, 'BlockedSessions')).toContain(1);
      expect(Math.max(...runtime.metrics.values(job.id, 'BlockedWait'))).toBeGreaterThan(0);

      // The transaction after the blocked one selected half as many rows.
      const ledger = await observer.query<{ batch_no: unknown; selected: unknown }>(
        `SELECT batch_no, selected FROM lowtide_ledger WHERE job_id = '${job.id}' ORDER BY batch_no`,
      );
      const halved = ledger.filter(
        (r) =>
          Number(r.batch_no) > (blocked!.firstBatchNo ?? blocked!.batchNo) &&
          Number(r.batch_no) <= blocked!.batchNo + 1 &&
          Number(r.selected) === SIZE / 2,
      );
      expect(halved.length, JSON.stringify(ledger)).toBeGreaterThan(0);
    } finally {
      await app.close();
      await observer.close();
    }
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });
});
