import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase, type TestEngine } from '../../support/databases';
import { createAccounts } from '../../support/fixtures';
import { connectRaw, type RawConnection } from '../../support/raw-sql';
import { tempStateDir } from './cli-process';

export interface CliAccounts {
  /** The file's own database, holding an `accounts` table. */
  readonly db: TestDatabase;
  readonly conn: RawConnection;
  /** Local control state for the CLI processes: pass `dir` as LOWTIDE_STATE_DIR. */
  readonly state: Awaited<ReturnType<typeof tempStateDir>>;
}

/**
 * Registers the usual setup of a CLI test file: a fresh database with `rows` accounts and an empty
 * local control state, removed afterwards. Read the fields inside tests (set once `beforeAll` ran).
 */
export function useCliAccounts(engine: TestEngine, rows: number): CliAccounts {
  const ctx = {} as { -readonly [K in keyof CliAccounts]: CliAccounts[K] };
  beforeAll(async () => {
    ctx.db = await createTestDatabase(engine);
    ctx.conn = await connectRaw(ctx.db);
    await createAccounts(ctx.conn, engine, rows);
    ctx.state = await tempStateDir();
  });
  afterAll(async () => {
    await ctx.conn?.close();
    await ctx.db?.drop();
    await ctx.state?.remove();
  });
  return ctx;
}
