import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, type TestEngine } from '../support/databases';
import { createAccounts, TIER_EXPRESSION } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 500;

/** A `set` that takes 100 ms a row: a batch of 30 rows needs 3 s, three times its statement timeout. */
function slowNote(engine: TestEngine): string {
  return engine === 'postgres'
    ? 'CASE WHEN pg_sleep(0.1) IS NULL THEN note ELSE note END'
    : 'CASE WHEN SLEEP(0.1) = 0 THEN note ELSE note END';
}

describe.each(ENGINES)('a batch slower than its statement timeout on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  const job = backfillJob(engine, {
    batch: { size: 30, min: 30, max: 30, targetMs: 200 },
    limits: { lockTimeoutMs: 1000, statementTimeoutMs: 1000, retries: 1 },
    set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1', note: slowNote(engine) },
  });

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    await createAccounts(db.raw, engine, ROWS);
    rt = await startRuntime(db, [job]);
  });

  afterAll(async () => {
    await rt?.close();
    await db?.close();
  });

  it('pauses with reason statement-timeouts, not lock-timeouts, and changes nothing', async () => {
    const paused = await rt.runtime.run({ jobId: job.id });
    expect(paused).toMatchObject({ status: 'SUCCEEDED', exit: 'Paused' });
    expect(paused.output).toMatchObject({ stop: { outcome: 'paused', pauseReason: 'statement-timeouts' } });
    const state = await rt.runtime.store.getJob(job.id);
    expect(state?.status).toBe('paused');
    expect(state?.statusReason).toMatch(/^statement-timeouts: .*limits\.statementTimeoutMs \(1000 ms\)/);
    expect(state?.statusReason).not.toMatch(/lock/);
    expect(state?.pauseRequests.map((r) => r.reason)).toEqual(['statement-timeouts']);
    expect(state?.lease).toBeUndefined();

    // Every attempt was cancelled and rolled back: no row changed, no batch in the ledger.
    expect((await appliedCounts(db.raw)).byCount).toEqual({ 0: ROWS });
    expect(await ledgerRows(db.raw, job.id)).toEqual([]);

    // An operator's resume clears it like the other contention pauses.
    const resumed = await rt.runtime.store.clearPause(job.id, 'operator');
    expect(resumed.pauseRequests).toEqual([]);
  });
});
