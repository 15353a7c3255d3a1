import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, DbError } from '../../src/db/types';
import { addNotNullColumn, runRecipe } from '../../src/recipes';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { CONNECTION, type RecipeHarness, recipeHarness, recipeJobs } from './support';

const ROWS = 20_000;
const LOCK_TIMEOUT_MS = 200;

/**
 * The recipe's database, reporting the first DDL attempt that gave up on a lock timeout: the event
 * the test waits for before it lets go of the table (rather than a guess at how long that takes).
 */
function onFirstLockTimeout(db: Database, then: () => void): Database {
  let told = false;
  const watch = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      if (!told && error instanceof DbError && error.kind === 'lock-timeout') {
        told = true;
        then();
      }
      throw error;
    });
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'withSession' || property === 'withBatchTransaction') {
        return (...args: unknown[]) => watch(value.apply(target, args));
      }
      return value.bind(target);
    },
  });
}

/** The application: updates random rows one at a time, recording how long each waited. */
function startWriter(conn: RawConnection) {
  const waits: number[] = [];
  let running = true;
  const done = (async () => {
    let n = 0;
    while (running) {
      const id = ((n++ * 7919) % ROWS) * 3 + 3;
      const started = performance.now();
      await conn.query('UPDATE accounts SET note = $1 WHERE id = $2', [`w${n}`, id]);
      waits.push(performance.now() - started);
    }
  })();
  return {
    waits,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe('recipe: add a NOT NULL column to a large PostgreSQL table', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let writerConn: RawConnection;
  let holderConn: RawConnection;
  let h: RecipeHarness;

  const recipe = addNotNullColumn({
    id: 'accounts-score',
    table: 'accounts',
    column: 'score',
    type: 'integer',
    backfill: '(id % 100)::integer',
    job: {
      database: CONNECTION,
      owner: 'test',
      key: 'id',
      batch: { size: 2000, min: 100, max: 5000, targetMs: 200 },
      health: { pauseBetweenBatchesMs: 0 },
    },
  });

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    raw = await connectRaw(testDb);
    writerConn = await connectRaw(testDb);
    holderConn = await connectRaw(testDb);
    await createAccounts(raw, 'postgres', ROWS);
    h = await recipeHarness(testDb, recipeJobs(recipe));
  });

  afterAll(async () => {
    await h?.close();
    await holderConn?.close();
    await writerConn?.close();
    await raw?.close();
    await testDb?.drop();
  });

  it('ends with the column NOT NULL and no leftover check, while a writer never waits past the lock timeout', async () => {
    const writer = startWriter(writerConn);
    // A long transaction holds the table at the start, so the first DDL step must time out and retry.
    await holderConn.query('BEGIN');
    await holderConn.query('SELECT count(*) FROM accounts WHERE id < 10');
    let released: Promise<unknown> | undefined;
    const db = onFirstLockTimeout(h.db, () => {
      released = holderConn.query('COMMIT');
    });
    let result: Awaited<ReturnType<typeof runRecipe>>;
    try {
      result = await runRecipe(recipe, h.options(recipe.id, { db, lockTimeoutMs: LOCK_TIMEOUT_MS }));
    } finally {
      await (released ?? holderConn.query('COMMIT')).catch(() => undefined);
      await writer.stop();
    }

    expect(result.reasons).toEqual([]);
    expect(result.status).toBe('completed');
    expect(result.phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['add-column', 'applied'],
      ['backfill', 'applied'],
      ['add-check-not-valid', 'applied'],
      ['validate-check', 'applied'],
      ['set-not-null', 'applied'],
      ['drop-check', 'applied'],
    ]);
    expect(result.phases[0]!.retries).toBeGreaterThan(0);

    const [column] = await raw.query<{ attnotnull: boolean }>(
      `SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'score'`,
    );
    expect(column?.attnotnull).toBe(true);
    const checks = await raw.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c'`,
    );
    expect(checks).toEqual([]);
    const [wrong] = await raw.query<{ n: string }>(
      'SELECT count(*) AS n FROM accounts WHERE score IS DISTINCT FROM (id % 100)::integer',
    );
    expect(Number(wrong?.n)).toBe(0);

    expect(writer.waits.length).toBeGreaterThan(20);
    // Generous bound: the lock timeout plus scheduling slack; without it a writer would queue for the holder's 1.5 s.
    expect(Math.max(...writer.waits)).toBeLessThan(LOCK_TIMEOUT_MS + 800);
  });

  it('skips every phase on a rerun: progress is read from the catalog', async () => {
    const result = await runRecipe(recipe, h.options(recipe.id));
    expect(result.status).toBe('completed');
    expect(result.phases.every((p) => p.outcome === 'skipped')).toBe(true);
  });
});
