import { describe, expect, it } from 'vitest';
import { installLedger, readLedger, runBatch } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { ENGINES } from '../support/databases';
import { interceptBatchQueries, runUntilDone } from '../support/engine';
import { useEngineDatabase, useFreshAccounts } from '../support/engine-database';
import { accountsBackfill, backfillTargets } from '../support/fixtures';
import { untilSomeoneWaitsOnLock } from '../support/lock-waits';
import { connectRaw } from '../support/raw-sql';

const ROWS = 2000;

/**
 * Update and delete jobs without an audit change each batch by its key range rather than by a list
 * of its keys. These tests pin down what that means when the application writes to the batch's
 * rows while the batch runs.
 */
describe.each(ENGINES)('batches changed by key range on %s', (engine) => {
  const t = useEngineDatabase(engine, 3);

  const accounts = useFreshAccounts(t, engine, ROWS);

  const backfill = (id: string) =>
    accountsBackfill(engine, accounts.table, id, {
      limits: { lockTimeoutMs: 3000, statementTimeoutMs: 5000 },
    });

  const count = async (where: string) =>
    Number(
      (await t.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${accounts.table} WHERE ${where}`))[0]!.n,
    );

  it("leaves alone a row the application took out of the predicate while the batch waited for it, and keeps the application's value", async () => {
    const spec = backfill('range-concurrent-writer');
    await installLedger(t.db, spec);
    const app = await connectRaw(t.testDb);
    try {
      // id 6 (n = 2) is a target inside the first batch; the application gives it a tier of its own.
      await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await app.query(`UPDATE ${accounts.table} SET tier = 'app' WHERE id = 6`);
      const batch = runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 500 });
      await untilSomeoneWaitsOnLock(t.raw, engine, accounts.table);
      await app.query('COMMIT');
      const outcome = await batch;

      expect(outcome.status).toBe('applied');
      if (outcome.status !== 'applied') return;
      // The selection saw the row before the commit; the change waited for the application's lock
      // and re-checked the row after it: no longer a target, so left as the application wrote it.
      expect(outcome.selected).toBe(500);
      expect(outcome.affected).toBe(499);
      expect(await t.raw.query(`SELECT tier, applied_count FROM ${accounts.table} WHERE id = 6`)).toEqual([
        { tier: 'app', applied_count: 0 },
      ]);
      expect(await count('applied_count > 1')).toBe(0);
      expect(await count(`applied_count = 1 AND id <= ${outcome.lastKey}`)).toBe(outcome.affected);

      const rest = await runUntilDone(spec, t.db);
      expect(outcome.affected + rest.rows).toBe(backfillTargets(ROWS) - 1);
      expect(await count('tier IS NULL')).toBe(0);
      expect(await count('applied_count > 1')).toBe(0);
      expect(await count("tier = 'legacy' AND applied_count > 0")).toBe(0);
      expect((await readLedger(t.db, spec))?.rowsDone).toBe(backfillTargets(ROWS) - 1);
    } finally {
      await app.close();
    }
  });

  it('never carries the keys of a batch as a list, and changes only the rows of its range that match', async () => {
    const spec = defineJob({
      id: 'range-purge',
      owner: 'test',
      engine,
      database: 'primary',
      table: accounts.table,
      key: 'id',
      kind: 'delete',
      where: "tier = 'legacy'",
      batch: { size: 100, min: 100, max: 100 },
    });
    await installLedger(t.db, spec);
    const statements: string[] = [];
    const watched = interceptBatchQueries(t.db, async (_tx, text) => {
      statements.push(text);
    });
    const outcome = await runBatch({ spec, db: watched, lease: { token: 1 }, batchSize: 100 });

    expect(outcome.status).toBe('applied');
    if (outcome.status !== 'applied') return;
    expect(outcome).toMatchObject({ selected: 100, affected: 100, firstKey: '15', lastKey: '1500' });
    // Every legacy row up to the last key is gone; every other row in the range is still there.
    expect(await count(`id <= 1500 AND tier = 'legacy'`)).toBe(0);
    expect(await count('id <= 1500')).toBe(500 - 100);
    expect(await count(`tier = 'legacy'`)).toBe(ROWS / 5 - 100);
    const change = statements.find((s) => /DELETE/i.test(s));
    expect(change).toBeDefined();
    expect(change).not.toMatch(/ IN \(/i);
  });
});
