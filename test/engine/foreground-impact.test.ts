import { describe, expect, it } from 'vitest';
import { installLedger, runBatch } from '../../src/engine';
import { impactWatcher } from '../../src/engine/foreground-impact';
import { advanceCheckpoint } from '../../src/run/after-batch';
import { initialCheckpoint } from '../../src/runtime/handlers/common';
import { ENGINES } from '../support/databases';
import { useEngineDatabase, useFreshAccounts } from '../support/engine-database';
import { accountsBackfill, TIER_EXPRESSION } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';
import { waitUntil } from '../support/replicas/wait-until';
import { slowChangeRunning, slowNote } from '../support/slow-change';

const ROWS = 200;
const BATCH = 10;

describe.each(ENGINES)('the foreground-impact signal on %s', (engine) => {
  // Three connections: the batch's session, the watcher's, and the ledger's bookkeeping.
  const t = useEngineDatabase(engine, 3);
  const accounts = useFreshAccounts(t, engine, ROWS);

  const slowJob = (id: string) =>
    accountsBackfill(engine, accounts.table, id, {
      set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1', note: slowNote(engine) },
      batch: { size: BATCH, min: 2, max: 100, targetMs: 50 },
      limits: { lockTimeoutMs: 3000, statementTimeoutMs: 5000 },
    });

  it('sees an application session waiting on a row the batch holds, and the sizer halves the next transaction', async () => {
    const spec = slowJob('impact-blocked');
    await installLedger(t.db, spec);
    const [first] = await t.raw.query<{ id: unknown }>(
      `SELECT id FROM ${accounts.table} WHERE tier IS NULL ORDER BY id LIMIT 1`,
    );
    const app = await connectRaw(t.testDb);
    const observer = await connectRaw(t.testDb);
    try {
      const impact = await impactWatcher(t.db);
      const batch = runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: BATCH, impact });
      await waitUntil('the batch UPDATE to hold its first rows', async () =>
        (await slowChangeRunning(observer, engine, 250)) ? true : undefined,
      );
      // The application's own update of a row the batch has already changed: it waits for the commit.
      const update = app.query(
        `UPDATE ${accounts.table} SET note = 'application' WHERE id = ${Number(first!.id)}`,
      );
      const outcome = await batch;
      await update;
      if (outcome.status !== 'applied') throw new Error(`expected a committed batch, got ${outcome.status}`);
      expect(outcome.impact?.unreadable).toBeUndefined();
      expect(outcome.impact?.samples).toBeGreaterThan(0);
      expect(outcome.impact?.blockedSessions).toBe(1);
      expect(outcome.impact?.longestWaitMs).toBeGreaterThan(0);

      // The step's checkpoint after this transaction: the next one is half as big.
      const before = initialCheckpoint(spec, new Date());
      const after = advanceCheckpoint(spec, before, outcome, new Date().toISOString());
      expect(after.sizer.size).toBe(BATCH / 2);
    } finally {
      await app.close();
      await observer.close();
    }
    // The application's write landed after the batch's: the batch changed the row, then the app did.
    const [row] = await t.raw.query<{ note: unknown; applied_count: unknown }>(
      `SELECT note, applied_count FROM ${accounts.table} WHERE id = ${Number(first!.id)}`,
    );
    expect(row).toMatchObject({ note: 'application' });
    expect(Number(row!.applied_count)).toBe(1);
  });

  it('reads none blocked when the application leaves the batch alone', async () => {
    const spec = slowJob('impact-alone');
    await installLedger(t.db, spec);
    const impact = await impactWatcher(t.db);
    const outcome = await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 5, impact });
    if (outcome.status !== 'applied') throw new Error(`expected a committed batch, got ${outcome.status}`);
    expect(outcome.impact).toMatchObject({ blockedSessions: 0, longestWaitMs: 0 });
    expect(outcome.impact?.samples).toBeGreaterThan(0);
    expect(outcome.impact?.unreadable).toBeUndefined();
  });
});
