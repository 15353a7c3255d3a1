import { afterAll, beforeAll } from 'vitest';
import { type AlarmBoard, createAlarmBoard } from '../../../src/health';
import type { JobSpec } from '../../../src/job/types';
import { createLocalRuntime } from '../../../src/runtime/local';
import type { LocalRuntime, LocalRuntimeOptions } from '../../../src/runtime/local/types';
import { createTestDatabase, type TestDatabase, type TestEngine } from '../../support/databases';
import { connectRaw, type RawConnection } from '../../support/raw-sql';

import { CONNECTION } from './connection';

export { CONNECTION };

/** Waits shortened to a millisecond per ASL second: a 15 s back-off takes 15 ms. */
export const FAST: Pick<LocalRuntimeOptions, 'msPerSecond' | 'settings'> = {
  msPerSecond: 1,
  settings: { backoffSeconds: 1, maxBackoffSeconds: 2 },
};

export interface E2eDatabase {
  readonly engine: TestEngine;
  readonly testDb: TestDatabase;
  /** A plain driver connection: fixtures and checks go through it, never through lowtide. */
  readonly raw: RawConnection;
  close(): Promise<void>;
}

/** A fresh database for one test file, and a raw connection to check outcomes with. */
export async function openE2eDatabase(engine: TestEngine): Promise<E2eDatabase> {
  const testDb = await createTestDatabase(engine);
  const raw = await connectRaw(testDb);
  return {
    engine,
    testDb,
    raw,
    close: async () => {
      await raw.close();
      await testDb.drop();
    },
  };
}

export interface E2eRuntime {
  readonly runtime: LocalRuntime;
  readonly alarms: AlarmBoard;
  close(): Promise<void>;
}

/** A local runtime with its own in-process DynamoDB, running the deployed ASL against the test database. */
export async function startRuntime(
  db: E2eDatabase,
  jobs: readonly JobSpec[],
  options: Partial<LocalRuntimeOptions> = {},
): Promise<E2eRuntime> {
  const alarms = createAlarmBoard();
  const runtime = await createLocalRuntime({
    jobs,
    databases: { [CONNECTION]: db.testDb.url },
    alarms,
    ...FAST,
    ...options,
  });
  return { runtime, alarms, close: () => runtime.close() };
}

export interface E2eSetup {
  readonly db: E2eDatabase;
  readonly rt: E2eRuntime;
}

export interface E2eSetupOptions extends Partial<LocalRuntimeOptions> {
  /** Lays out the file's tables, before the runtime starts. */
  readonly prepare?: (db: E2eDatabase) => Promise<void>;
}

/**
 * Registers the usual setup of an e2e test file: a fresh database, `prepare` for its tables, and a
 * local runtime for `jobs`; all closed afterwards. Read the fields inside tests and hooks (they are
 * set once `beforeAll` has run).
 */
export function useE2e(
  engine: TestEngine,
  jobs: readonly JobSpec[],
  { prepare, ...options }: E2eSetupOptions = {},
): E2eSetup {
  const ctx = {} as { db: E2eDatabase; rt: E2eRuntime };
  beforeAll(async () => {
    ctx.db = await openE2eDatabase(engine);
    await prepare?.(ctx.db);
    ctx.rt = await startRuntime(ctx.db, jobs, options);
  });
  afterAll(async () => {
    await ctx.rt?.close();
    await ctx.db?.close();
  });
  return ctx;
}
