import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryCosts } from '../../src/run/history-budget';
import type { RuntimeEvent } from '../../src/runtime/local';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { appliedCounts, backfillJob } from './support/accounts';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 2_500;
/**
 * History figures scaled up so the 25,000-event quota is reached in a few loops: a loop may start
 * while loops + reported retries <= 15, and the threshold is the most a quiet execution can reach.
 */
const SCALED: HistoryCosts = { entry: 0, iteration: 5_000, charged: 1_000, perRetry: 1_000, exit: 5_000 };
const THRESHOLD = 16;

describe.each(ENGINES)('retries count toward continue-as-new on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  let app: RawConnection;
  // One transaction per apply step: loops and their retries are what the history budget counts.
  const job = backfillJob(engine, {
    batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
    // MySQL and MariaDB count lock waits in whole seconds.
    limits: { lockTimeoutMs: engine === 'mysql' ? 1000 : 200, statementTimeoutMs: 3000, retries: 10 },
  });

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    await createAccounts(db.raw, engine, ROWS);
    app = await connectRaw(db.testDb);
    rt = await startRuntime(db, [job], {
      continueAsNewAfter: THRESHOLD,
      settings: { backoffSeconds: 1, maxBackoffSeconds: 2, historyCosts: SCALED },
    });
  });

  afterAll(async () => {
    await rt?.close();
    await app?.close();
    await db?.close();
  });

  it('refuses a threshold the scaled budget cannot hold', async () => {
    await expect(
      startRuntime(db, [job], { continueAsNewAfter: THRESHOLD + 1, settings: { historyCosts: SCALED } }),
    ).rejects.toThrow(/continueAsNewAfter = 17 does not fit .* set it to at most 16/);
  });

  it('hands over earlier in an execution whose batches were retried, and completes every row once', async () => {
    // The application holds the first row the job will reach; it lets go after two lock timeouts.
    const [first] = await db.raw.query<{ id: unknown }>(
      'SELECT id FROM accounts WHERE tier IS NULL ORDER BY id LIMIT 1',
    );
    await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
    await app.query(`UPDATE accounts SET note = 'held by the app' WHERE id = ${Number(first!.id)}`);
    let timeouts = 0;
    let released: Promise<unknown> | undefined;
    const off = rt.runtime.onEvent((e: RuntimeEvent) => {
      if (
        e.type === 'task-failed' &&
        e.state === 'ApplyBatch' &&
        e.error === 'LockTimeout' &&
        ++timeouts === 2
      )
        released = app.query('COMMIT');
    });

    const result = await rt.runtime.run({ jobId: job.id });
    off();
    await released;
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    const [retried, quiet] = result.executions;
    const reasonOf = (g: typeof retried) =>
      String((g?.output?.stop as { reason?: unknown } | undefined)?.reason);

    // Every retry took a loop's worth of the scaled budget: the first execution handed over early.
    const match = /^(\d+) iterations and (\d+) retries in this execution/.exec(reasonOf(retried));
    expect(match, reasonOf(retried)).not.toBeNull();
    const [loops, retries] = [Number(match![1]), Number(match![2])];
    expect(retries).toBeGreaterThanOrEqual(2);
    expect(loops + retries).toBe(THRESHOLD);
    expect(loops).toBeLessThan(THRESHOLD);
    // Without retries the next one runs to the threshold.
    expect(reasonOf(quiet)).toBe(
      `${THRESHOLD} iterations in this execution: continuing as a new one to keep its history short`,
    );

    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  });
});
