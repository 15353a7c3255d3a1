import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../support/databases';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { killJob } from './fixtures/kill-jobs';
import { appliedCounts, ledgerRows } from './support/accounts';
import { type RunnerEvent, runAndKill } from './support/child-runner';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 500;
const LEASE_TTL_MS = 2_000;

/** The id of the k-th row (1-based) the backfill targets: ids are 3n, and every fifth n already has a tier. */
function targetId(k: number): number {
  let seen = 0;
  for (let n = 1; ; n++) {
    if (n % 5 !== 0 && ++seen === k) return 3 * n;
  }
}

const count = (events: RunnerEvent[], type: string, state?: string) =>
  events.filter((e) => e.type === type && (state === undefined || e.state === state)).length;

async function waitingOnLock(raw: RawConnection, engine: TestEngine): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ n: unknown }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      : // MariaDB leaves a waiting statement out of innodb_trx; the process list shows it still running
        // (the batch's change, or the locking read of a job that selects its keys FOR UPDATE).
        await raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM information_schema.processlist
            WHERE db = DATABASE() AND (info LIKE 'UPDATE%' OR info LIKE 'SELECT%FOR UPDATE') AND time_ms > 200`,
        );
  return Number(rows[0]!.n) > 0;
}

describe.each(ENGINES)('the runner killed at a random point, then a new execution on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  let app: RawConnection;
  // A random batch of the eight, and a random moment after it: wherever the runner happens to be.
  const randomBatch = 1 + Math.floor(Math.random() * 5);
  const randomDelayMs = Math.floor(Math.random() * 10);

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    app = await connectRaw(db.testDb);
    const tables = [
      'after_batches',
      'at_apply',
      'mid_batch',
      'in_verify',
      'random_point',
      'mirror_behind',
      'mid_invocation',
    ];
    for (const t of tables) await createAccounts(db.raw, engine, ROWS, t);
    rt = await startRuntime(
      db,
      tables.map((t) => killJob(engine, t)),
      { leaseTtlMs: LEASE_TTL_MS },
    );
  });

  afterAll(async () => {
    await rt?.close();
    await app?.close();
    await db?.close();
  });

  async function killThenRecover(
    table: string,
    killWhen: (event: RunnerEvent, events: RunnerEvent[]) => boolean | Promise<boolean>,
    afterKill?: () => Promise<void>,
  ) {
    const job = killJob(engine, table);
    const config = {
      engine,
      url: db.testDb.url,
      table,
      dynamoEndpoint: rt.runtime.dynamoEndpoint,
      leaseTtlMs: LEASE_TTL_MS,
    };
    const { events } = await runAndKill(config, killWhen);
    await afterKill?.();
    const leaseTaken = events.some(
      (e) => e.type === 'task-succeeded' && e.state === 'AcquireLease' && e.decision === 'acquired',
    );
    const dead = await rt.runtime.store.getJob(job.id);
    let recovered: Awaited<ReturnType<typeof rt.runtime.run>> | undefined;
    if (leaseTaken && dead?.lease && dead.lease.expiresAt > Date.now()) {
      // The dead runner's lease still stands: a new start is a no-op until it expires. On a loaded
      // machine the lease can run out while the start is on its way; then the start must have come
      // after the expiry, and it is the recovery itself.
      const early = await rt.runtime.run({ jobId: job.id });
      if (early.exit !== 'LeaseHeld') {
        expect(Date.now()).toBeGreaterThanOrEqual(dead.lease.expiresAt);
        recovered = early;
      }
    }
    if (!recovered) {
      const expiresAt = (await rt.runtime.store.getJob(job.id))?.lease?.expiresAt ?? 0;
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));
      recovered = await rt.runtime.run({ jobId: job.id });
    }
    expect(recovered).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const targets = backfillTargets(ROWS);
    const counts = await appliedCounts(db.raw, table);
    expect(counts.byCount).toEqual({ 0: ROWS - targets, 1: targets });
    expect(counts.legacyTouched).toBe(0);
    const ledger = await ledgerRows(db.raw, job.id);
    expect(ledger.map((r) => Number(r.batch_no))).toEqual(ledger.map((_, i) => i + 1));
    expect(Number(ledger.at(-1)!.rows_done)).toBe(targets);
    const state = await rt.runtime.store.getJob(job.id);
    expect(state?.status).toBe('completed');
    expect(state?.checkpoint).toMatchObject({ batchNo: ledger.length, rowsDone: targets });
    return events;
  }

  it('after a few batches committed', async () => {
    const events = await killThenRecover(
      'after_batches',
      (e) => e.type === 'batch-applied' && (e.batch as { batchNo: number }).batchNo === 3,
    );
    expect(count(events, 'batch-applied')).toBeGreaterThanOrEqual(3);
  });

  it("mid-invocation, with some of the apply step's transactions committed and none mirrored", async () => {
    const job = killJob(engine, 'mid_invocation');
    const events = await killThenRecover('mid_invocation', async (e, all) => {
      if (
        !(
          e.type === 'task-started' &&
          e.state === 'ApplyBatch' &&
          count(all, 'task-started', 'ApplyBatch') === 1
        )
      )
        return false;
      const deadline = Date.now() + 10_000;
      while ((await ledgerRows(db.raw, job.id)).length < 3) {
        if (Date.now() > deadline) throw new Error('the first apply step never committed three transactions');
        await new Promise((r) => setTimeout(r, 2));
      }
      return true;
    });
    // Killed inside the first apply step: no step had returned, so DynamoDB mirrored none of it.
    expect(count(events, 'task-succeeded', 'ApplyBatch')).toBe(0);
  });

  it('as ApplyBatch starts, before its transaction', async () => {
    await killThenRecover(
      'at_apply',
      (e, all) =>
        e.type === 'task-started' &&
        e.state === 'ApplyBatch' &&
        count(all, 'task-started', 'ApplyBatch') === 4,
    );
  });

  it('mid-batch, inside the batch transaction', async () => {
    // The application holds a row of the third batch, so that batch sits inside its transaction.
    await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
    await app.query(`UPDATE mid_batch SET note = note WHERE id = ${targetId(120)}`);
    const events = await killThenRecover(
      'mid_batch',
      async (e, all) => {
        if (
          !(
            e.type === 'task-started' &&
            e.state === 'ApplyBatch' &&
            count(all, 'task-started', 'ApplyBatch') === 3
          )
        )
          return false;
        const deadline = Date.now() + 10_000;
        while (!(await waitingOnLock(db.raw, engine))) {
          if (Date.now() > deadline) throw new Error('the third batch never waited on the held row');
          await new Promise((r) => setTimeout(r, 10));
        }
        return true;
      },
      () => app.query('ROLLBACK').then(() => undefined),
    );
    expect(count(events, 'batch-applied')).toBe(2);
  });

  it('while VerifyBatch re-reads a committed batch', async () => {
    await killThenRecover(
      'in_verify',
      (e, all) =>
        e.type === 'task-started' &&
        e.state === 'VerifyBatch' &&
        count(all, 'task-started', 'VerifyBatch') === 2,
    );
  });

  it(`at a random moment (${randomDelayMs} ms after batch ${randomBatch})`, async () => {
    let armed = false;
    await killThenRecover('random_point', (e, all) => {
      if (armed || e.type !== 'batch-applied' || count(all, 'batch-applied') !== randomBatch) return false;
      armed = true;
      return new Promise((resolve) => setTimeout(() => resolve(true), randomDelayMs));
    });
  });

  it('with the DynamoDB checkpoint a batch behind the ledger (killed between commit and mirror): the ledger wins', async () => {
    const job = killJob(engine, 'mirror_behind');
    const { store } = rt.runtime;
    expect((await rt.runtime.run({ jobId: job.id })).exit).toBe('Completed');
    const mirrored = (await store.getJob(job.id))!.checkpoint!;
    // Rewind the mirror by one batch, as a crash right after the last commit would leave it.
    const lease = await store.acquireLease(job.id, 'rewinder', 60_000);
    if (!lease.acquired) throw new Error('the test could not take the lease');
    await store.saveCheckpoint(job.id, lease.lease, {
      ...mirrored,
      batchNo: mirrored.batchNo - 1,
      lastKey: '0',
      rowsDone: 0,
    });
    (await store.commit(job.id, { lease: { kind: 'release', lease: lease.lease } })).released;

    const again = await rt.runtime.run({ jobId: job.id });
    expect(again).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect((await store.getJob(job.id))?.checkpoint).toMatchObject({
      batchNo: mirrored.batchNo,
      lastKey: mirrored.lastKey,
      rowsDone: mirrored.rowsDone,
    });
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(db.raw, 'mirror_behind')).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });
});
