import { type CliContext, stateDirOf } from '../context';
import { runDemo } from '../demo/run-demo';
import { demoRowsFrom } from '../demo/seed';
import { BadInputError, EXIT } from '../errors';
import { type CommandResult, result } from '../output';

export interface DemoFlags {
  readonly databaseUrl?: string;
}

/**
 * `lowtide demo` (what `npm start` runs): the demo backfill on an embedded PostgreSQL, or on
 * `DATABASE_URL` / `--database-url` when set. `LOWTIDE_DEMO_ROWS` sets the table's size.
 */
export async function demoCommand(ctx: CliContext, flags: DemoFlags): Promise<CommandResult> {
  let rows: number;
  try {
    rows = demoRowsFrom(ctx.env.LOWTIDE_DEMO_ROWS);
  } catch (error) {
    throw new BadInputError((error as Error).message);
  }
  const outcome = await runDemo({
    rows,
    databaseUrl: flags.databaseUrl ?? ctx.env.DATABASE_URL,
    stateDir: stateDirOf(ctx),
    out: ctx.stdout,
    progress: ctx.stderr,
    quiet: ctx.json,
  });
  const code = outcome.ok
    ? EXIT.ok
    : outcome.run.outcome.code !== EXIT.ok
      ? outcome.run.outcome.code
      : EXIT.failure;
  const text = outcome.ok
    ? 'demo finished: the table checks out.'
    : 'demo did not finish cleanly: see above.';
  return result(outcome, text, code);
}
