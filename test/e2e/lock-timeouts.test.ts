import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 1_000;

describe.each(ENGINES)('a foreground lock held longer than the retries on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  let app: RawConnection;
  const job = backfillJob(engine, {
    batch: { size: 100, min: 10, max: 100, targetMs: 200 },
    // MySQL and MariaDB count lock waits in whole seconds.
    limits: { lockTimeoutMs: engine === 'mysql' ? 1000 : 200, statementTimeoutMs: 3000, retries: 2 },
  });

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    await createAccounts(db.raw, engine, ROWS);
    app = await connectRaw(db.testDb);
    rt = await startRuntime(db, [job]);
  });

  afterAll(async () => {
    await rt?.close();
    await app?.close();
    await db?.close();
  });

  it('pauses with reason lock-timeouts, leaves the foreground transaction unharmed, and completes once resumed', async () => {
    // The application holds a row the job will reach in its third batch of 100 targets.
    const [target] = await db.raw.query<{ id: unknown }>(
      'SELECT id FROM accounts WHERE tier IS NULL ORDER BY id LIMIT 1 OFFSET 250',
    );
    const lockedId = Number(target!.id);
    await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
    await app.query(`UPDATE accounts SET note = 'held by the app' WHERE id = ${lockedId}`);

    const paused = await rt.runtime.run({ jobId: job.id });
    expect(paused).toMatchObject({ status: 'SUCCEEDED', exit: 'Paused' });
    expect(paused.output).toMatchObject({ stop: { outcome: 'paused', pauseReason: 'lock-timeouts' } });
    const state = await rt.runtime.store.getJob(job.id);
    expect(state?.status).toBe('paused');
    expect(state?.statusReason).toMatch(/lock-timeouts/);
    expect(state?.pauseRequests.map((r) => r.reason)).toEqual(['lock-timeouts']);
    expect(state?.lease).toBeUndefined();
    // Each timeout halved the next attempt.
    expect(state?.checkpoint?.sizer.size).toBeLessThan(100);
    expect(rt.runtime.metrics.sum(job.id, 'LockTimeouts')).toBeGreaterThanOrEqual(3);
    expect((await rt.runtime.store.listRuns(job.id))[0]).toMatchObject({ outcome: 'paused' });
    // Progress up to the locked row only.
    const lastKey = Number((await ledgerRows(db.raw, job.id)).at(-1)?.last_key ?? 0);
    expect(lastKey).toBeLessThan(lockedId);

    // The application's transaction is intact and commits its own change.
    await app.query(`UPDATE accounts SET note = 'still mine' WHERE id = ${lockedId}`);
    await app.query('COMMIT');
    const [row] = await db.raw.query<{ note: unknown; applied_count: unknown }>(
      `SELECT note, applied_count FROM accounts WHERE id = ${lockedId}`,
    );
    expect(row).toMatchObject({ note: 'still mine' });
    expect(Number(row!.applied_count)).toBe(0);

    await rt.runtime.store.clearPause(job.id, 'operator');
    const resumed = await rt.runtime.run({ jobId: job.id });
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });
});
