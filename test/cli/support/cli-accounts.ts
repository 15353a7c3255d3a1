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

/** The environment that points a CLI process at the file's local control state. */
export function stateEnv(t: CliAccounts): Record<string, string> {
  return { LOWTIDE_STATE_DIR: t.state.dir };
}

/** `run` or `rollback` of `jobFile` in-process against the file's database, `msPerSecond` per ASL second. */
export function localArgs(
  t: CliAccounts,
  command: 'run' | 'rollback',
  jobFile: string,
  msPerSecond: number,
): string[] {
  return [command, jobFile, '--local', '--database-url', t.db.url, '--ms-per-second', String(msPerSecond)];
}
