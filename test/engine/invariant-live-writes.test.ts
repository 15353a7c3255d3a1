import { describe, expect, it } from 'vitest';
import { installLedger, runBatch } from '../../src/engine';
import { ENGINES } from '../support/databases';
import { interceptBatchQueries, runUntilDone } from '../support/engine';
import { useEngineDatabase, useFreshAccounts } from '../support/engine-database';
import { accountsBackfill, backfillTargets } from '../support/fixtures';
import { untilSomeoneWaitsOnLock } from '../support/lock-waits';
import { connectRaw } from '../support/raw-sql';
import { countWrites } from '../support/write-counter';

const ROWS = 2000;

/**
 * A backfill with `verify.invariant` while the application writes to the rows it is about to
 * change, taking some out of `where`. The batch leaves those rows alone, so its check of the
 * invariant must judge the rows as they are now, not as a snapshot taken before the change saw
 * them (MySQL's REPEATABLE READ would otherwise show the application's rows still unset).
 */
describe.each(ENGINES)('verify.invariant under live application writes on %s', (engine) => {
  const t = useEngineDatabase(engine, 3);
  const accounts = useFreshAccounts(t, engine, ROWS);

  const backfill = (id: string) =>
    accountsBackfill(engine, accounts.table, id, {
      verify: { invariant: 'tier IS NOT NULL' },
      limits: { lockTimeoutMs: 3000, statementTimeoutMs: 5000 },
    });

  const count = async (where: string) =>
    Number(
      (await t.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${accounts.table} WHERE ${where}`))[0]!.n,
    );

  it('completes when the application commits a change to a row the batch is waiting for', async () => {
    const spec = backfill('invariant-lock-wait');
    await installLedger(t.db, spec);
    const writes = await countWrites(t.raw, engine, accounts.table);
    const app = await connectRaw(t.testDb);
    let affected = 0;
    try {
      // id 6 is a target inside the first batch; the application gives it a tier of its own.
      await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await app.query(`UPDATE ${accounts.table} SET tier = 'app' WHERE id = 6`);
      const batch = runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 500 });
      await untilSomeoneWaitsOnLock(t.raw, engine, accounts.table);
      await app.query('COMMIT');
      const first = await batch;
      expect(first).toMatchObject({ status: 'applied', batchNo: 1, selected: 500 });
      affected = first.status === 'applied' ? first.affected : -1;
      // Which statement meets the application's lock depends on timing: a key read that waits on
      // id 6 reads it committed and takes the next row instead (500 changed); a change that waits
      // on it finds it out of `where` (499). Either way id 6 is the application's, checked below.
      expect([499, 500]).toContain(affected);
    } finally {
      await app.close();
    }
    const rest = await runUntilDone(spec, t.db);
    expect(rest.rows).toBe(backfillTargets(ROWS) - 1 - affected);
    expect(await count('tier IS NULL')).toBe(0);
    expect(await t.raw.query(`SELECT tier, applied_count FROM ${accounts.table} WHERE id = 6`)).toEqual([
      { tier: 'app', applied_count: 0 },
    ]);
    // Every target written once: by the job, or (id 6) by the application.
    expect(await writes.histogram()).toEqual([[1, backfillTargets(ROWS)]]);
  });

  it('completes while the application keeps taking rows of each batch out of the predicate', async () => {
    const spec = backfill('invariant-app-writes');
    await installLedger(t.db, spec);
    const writes = await countWrites(t.raw, engine, accounts.table);
    const app = await connectRaw(t.testDb);
    const taken: string[] = [];
    try {
      // Just before each batch's change, the application commits a tier for the next target the
      // batch would reach: after the batch found its range, before it changed it.
      const live = interceptBatchQueries(t.db, async (_tx, text) => {
        if (!/^(UPDATE|WITH)\b/.test(text)) return;
        const after = taken.length === 0 ? 0 : Number(taken[taken.length - 1]);
        const [next] = await app.query<{ id: unknown }>(
          `SELECT min(id) AS id FROM ${accounts.table} WHERE tier IS NULL AND id > ${after}`,
        );
        if (next?.id === null || next?.id === undefined) return;
        taken.push(String(next.id));
        await app.query(`UPDATE ${accounts.table} SET tier = 'app' WHERE id = ${Number(next.id)}`);
      });
      const run = await runUntilDone(spec, live);
      expect(run.batches).toBeGreaterThan(2);
    } finally {
      await app.close();
    }
    expect(taken.length).toBeGreaterThan(2);
    expect(await count('tier IS NULL')).toBe(0);
    expect(await count(`tier = 'app' AND applied_count = 0`)).toBe(taken.length);
    expect(await count('applied_count > 1')).toBe(0);
    expect(await writes.histogram()).toEqual([[1, backfillTargets(ROWS)]]);
  });
});
