import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { createTestDatabase, type TestDatabase, type TestEngine } from './databases';
import { createAccounts } from './fixtures';
import { connectRaw, type RawConnection } from './raw-sql';

export interface EngineDatabase {
  /** The file's own database on the engine's test server. */
  readonly testDb: TestDatabase;
  /** A plain driver connection: fixtures, checks, and the application's own session. */
  readonly raw: RawConnection;
  /** lowtide's adapter on the same database. */
  readonly db: Database;
}

/**
 * Registers the usual setup of an engine test file: a fresh database for the file, a raw connection
 * and lowtide's Database on it, all closed and dropped afterwards. Read the fields inside tests
 * and hooks (they are set once `beforeAll` has run).
 */
export function useEngineDatabase(engine: TestEngine, poolSize?: number): EngineDatabase {
  const ctx = {} as { testDb: TestDatabase; raw: RawConnection; db: Database };
  beforeAll(async () => {
    ctx.testDb = await createTestDatabase(engine);
    ctx.raw = await connectRaw(ctx.testDb);
    ctx.db = openDatabase(ctx.testDb.url, poolSize === undefined ? {} : { poolSize });
  });
  afterAll(async () => {
    await ctx.db?.close();
    await ctx.raw?.close();
    await ctx.testDb?.drop();
  });
  return ctx;
}

/**
 * A new accounts table of `rows` rows before each test, so no test sees another's changes. Read
 * `table` inside tests and hooks.
 */
export function useFreshAccounts(
  t: EngineDatabase,
  engine: TestEngine,
  rows: number,
): { readonly table: string } {
  const current = { table: '' };
  let n = 0;
  beforeEach(async () => {
    current.table = `accounts_${++n}`;
    await createAccounts(t.raw, engine, rows, current.table);
  });
  return current;
}
