import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNotNullColumn } from '../../src/recipes';
import type { LocalRuntime, RuntimeEvent } from '../../src/runtime/local/types';
import { CONNECTION, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';

const ROWS = 6_000;

const recipe = addNotNullColumn({
  id: 'accounts-rank',
  table: 'accounts',
  column: 'rank',
  type: 'integer',
  backfill: '(id % 7)::integer',
  job: {
    database: CONNECTION,
    owner: 'test',
    key: 'id',
    // One transaction per apply step: the pause lands between steps, midway through the backfill.
    batch: { size: 500, min: 100, max: 500, targetMs: 200, invocationBudgetMs: 0 },
    limits: { lockTimeoutMs: 150, retries: 20 },
    health: { pauseBetweenBatchesMs: 0 },
  },
});

/** What each ApplyBatch of a recipe execution decided, in order. */
function applyDecisions(events: readonly RuntimeEvent[], executionName: string): string[] {
  return events.flatMap((e) =>
    e.type === 'task-succeeded' && e.executionName === executionName && e.state === 'ApplyBatch'
      ? [e.decision ?? '?']
      : [],
  );
}

describe('recipe through the state machine: add a NOT NULL column on PostgreSQL', () => {
  const events: RuntimeEvent[] = [];
  const e2e = useE2e('postgres', [], {
    prepare: (db) => createAccounts(db.raw, 'postgres', ROWS),
    recipes: [{ recipe }],
    msPerSecond: 10,
  });
  /** A second session, to hold locks the recipe must wait for. */
  let holder: RawConnection;
  beforeAll(async () => {
    e2e.rt.runtime.onEvent((e) => events.push(e));
    holder = await connectRaw(e2e.db.testDb);
  });
  afterAll(async () => {
    await holder?.close();
  });

  const column = async () =>
    (
      await e2e.db.raw.query<{ attnotnull: boolean }>(
        `SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'rank' AND NOT attisdropped`,
      )
    )[0];
  const nullRows = async () =>
    Number(
      (await e2e.db.raw.query<{ n: string }>('SELECT count(*) AS n FROM accounts WHERE rank IS NULL'))[0]?.n,
    );

  it('retries a DDL step through the ASL on lock timeouts, and stops cleanly mid-backfill when paused', async () => {
    // A long transaction holds the table, so the first ADD COLUMN times out and the ASL retries it;
    // the hold ends when that first lock timeout is reported, not after a guessed delay.
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM accounts WHERE id < 10');
    let released: Promise<unknown> | undefined;
    const releaseOnLockTimeout = e2e.rt.runtime.onEvent((e) => {
      if (e.type === 'task-failed' && e.state === 'ApplyBatch' && e.error === 'LockTimeout') {
        released ??= holder.query('COMMIT');
      }
    });
    const pauseOnFirstBatch = e2e.rt.runtime.onEvent((e) => {
      if (e.type === 'batch-applied' && e.jobId === recipe.id) {
        void e2e.rt.runtime.store.requestPause(recipe.id, { reason: 'operator', by: 'test' });
      }
    });
    let result: Awaited<ReturnType<LocalRuntime['run']>>;
    try {
      result = await e2e.rt.runtime.run({ jobId: recipe.id, recipe: true });
    } finally {
      releaseOnLockTimeout();
      pauseOnFirstBatch();
      await (released ?? holder.query('COMMIT')).catch(() => undefined);
    }

    expect(result.status).toBe('SUCCEEDED');
    expect(result.exit).toBe('Paused');
    const lockTimeouts = events.filter(
      (e) =>
        e.type === 'task-failed' &&
        e.executionName === result.executionName &&
        e.state === 'ApplyBatch' &&
        e.error === 'LockTimeout',
    );
    expect(lockTimeouts.length).toBeGreaterThan(0);
    // The column is there and nullable, part of the rows are filled: the recipe stopped inside its backfill.
    expect((await column())?.attnotnull).toBe(false);
    const left = await nullRows();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(ROWS);
    expect((await e2e.rt.runtime.store.getJob(recipe.id))?.status).toBe('paused');
  });

  it('a new execution resumes at the backfill and ends with the column NOT NULL and no leftover check', async () => {
    await e2e.rt.runtime.store.clearPause(recipe.id, 'operator');
    const result = await e2e.rt.runtime.run({ jobId: recipe.id, recipe: true });

    expect(result.cause).toBeUndefined();
    expect(result.exit).toBe('Completed');
    expect((await column())?.attnotnull).toBe(true);
    expect(await nullRows()).toBe(0);
    const checks = await e2e.db.raw.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c'`,
    );
    expect(checks).toEqual([]);
    const [wrong] = await e2e.db.raw.query<{ n: string }>(
      'SELECT count(*) AS n FROM accounts WHERE rank IS DISTINCT FROM (id % 7)::integer',
    );
    expect(Number(wrong?.n)).toBe(0);

    // Backfill batches first (ADD COLUMN would fail had it run again), then the four DDL steps.
    const decisions = applyDecisions(events, result.executionName);
    expect(decisions.at(-1)).toBe('done');
    expect(decisions.filter((d) => d === 'applied').length).toBeGreaterThanOrEqual(5);
    expect((await e2e.rt.runtime.store.getJob(recipe.id))?.status).toBe('completed');
  });

  it('a rerun execution finds nothing to do', async () => {
    const before = await e2e.db.raw.query('SELECT id, rank, note FROM accounts ORDER BY id');
    const result = await e2e.rt.runtime.run({ jobId: recipe.id, recipe: true });
    expect(result.exit).toBe('Completed');
    expect(applyDecisions(events, result.executionName)).toEqual(['done']);
    expect(await e2e.db.raw.query('SELECT id, rank, note FROM accounts ORDER BY id')).toEqual(before);
    expect((await column())?.attnotnull).toBe(true);
  });

  it('refuses a recipe the runtime does not know, naming how to register it', async () => {
    const result = await e2e.rt.runtime.run({ jobId: 'no-such-recipe', recipe: true });
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/no recipe 'no-such-recipe' is registered/);
  });
});
