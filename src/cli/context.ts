import { join, resolve } from 'node:path';

export interface Writable {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What every command runs with: where it is, what it may print to, and the global flags. */
export interface CliContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** `--json`: one JSON document on stdout, nothing else there. */
  readonly json: boolean;
  /** `--verbose`: stack traces and debug detail on stderr. */
  readonly verbose: boolean;
}

/**
 * The local control state (job status, pause requests, history) lives here: `.lowtide/` in the
 * directory the CLI runs in, or `LOWTIDE_STATE_DIR`. It is in .gitignore.
 */
export function stateDirOf(ctx: Pick<CliContext, 'cwd' | 'env'>): string {
  return ctx.env.LOWTIDE_STATE_DIR ? resolve(ctx.cwd, ctx.env.LOWTIDE_STATE_DIR) : join(ctx.cwd, '.lowtide');
}
