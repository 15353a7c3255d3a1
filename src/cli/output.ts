import type { CliContext } from './context';
import { type CliError, EXIT, type ExitCode, exitCodeFor, oneLine } from './errors';

/** What a command hands back: its exit code, its `--json` document and its human text. */
export interface CommandResult {
  readonly code: ExitCode;
  readonly json: unknown;
  readonly text: string;
}

export function result(json: unknown, text: string, code: ExitCode = EXIT.ok): CommandResult {
  return { code, json, text };
}

export function emit(ctx: CliContext, outcome: CommandResult): void {
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(outcome.json, jsonValue, 2)}\n`);
  else if (outcome.text) ctx.stdout.write(`${outcome.text}\n`);
}

/** BigInt keys and the like serialise as strings rather than throwing. */
function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Reports an error: one line on stderr (with the stack under `--verbose`), or a JSON document on
 * stdout under `--json`. Returns the exit code.
 */
export function emitError(ctx: CliContext, error: unknown): ExitCode {
  const code = exitCodeFor(error);
  const expected = code !== EXIT.failure || (error as CliError).kind === 'failed';
  const message = error instanceof Error ? error.message : String(error);
  const line = oneLine(message) || 'unknown error';
  if (ctx.json) {
    const kind = (error as Partial<CliError>).kind ?? 'failure';
    ctx.stdout.write(
      `${JSON.stringify({ ok: false, error: { kind, exitCode: code, message: line } }, null, 2)}\n`,
    );
  } else {
    ctx.stderr.write(`lowtide: ${line}\n`);
  }
  if (ctx.verbose) {
    ctx.stderr.write(`${describe(error)}\n`);
  } else if (!expected) {
    ctx.stderr.write('(run with --verbose for the stack trace)\n');
  }
  return code;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.stack ?? error.message;
  let cause = error.cause;
  while (cause instanceof Error) {
    text += `\ncaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return text;
}
