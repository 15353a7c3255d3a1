/**
 * Exit codes, documented in the README and relied on by scripts. Every error the CLI raises on
 * purpose carries one; `exitCodeFor` is the only place an error becomes a code.
 */
export const EXIT = {
  /** The command did what was asked (a run completed, a request was recorded). */
  ok: 0,
  /** Anything unexpected: a bug, a database or DynamoDB error mid-run, a failed batch. */
  failure: 1,
  /** The command cannot start: missing file, invalid job, unreachable database, unknown option. */
  badInput: 2,
  /** Preflight refused the job: nothing was changed. */
  blocked: 3,
  /** The run stopped before completing: paused, aborted, out of window, or another run owns the job. */
  stopped: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Base of the errors the CLI expects; their message is shown without a stack trace. */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Stable, for `--json` consumers. */
  abstract readonly kind: string;
}

/** Something the operator must change before the command can run. */
export class BadInputError extends CliError {
  override readonly name = 'BadInputError';
  readonly exitCode = EXIT.badInput;
  readonly kind = 'bad-input';
}

/** Preflight refused: the message lists the failed checks. */
export class PreflightBlockedError extends CliError {
  override readonly name = 'PreflightBlockedError';
  readonly exitCode = EXIT.blocked;
  readonly kind = 'blocked';
}

/** The run ended paused, aborted, out of its window, or found another owner. */
export class RunStoppedError extends CliError {
  override readonly name = 'RunStoppedError';
  readonly exitCode = EXIT.stopped;
  readonly kind = 'stopped';
}

/** The run failed (a batch did not verify, the database went away mid-run, ...). */
export class RunFailedError extends CliError {
  override readonly name = 'RunFailedError';
  readonly exitCode = EXIT.failure;
  readonly kind = 'failed';
}

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}

/** Bad input is shown on one line: a multi-line reason (a spec's issue list) is joined with '; '. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim().replace(/^- /, ''))
    .filter((line) => line !== '')
    .join('; ')
    .replace(/:; /g, ': ');
}

/**
 * Errors from libraries that are really about the operator's setup, restated as bad input with
 * what to change. Everything else passes through unchanged.
 */
export function explainError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof CliError) return error;
  if (error.message === 'Region is missing') {
    return new BadInputError('no AWS region: set AWS_REGION (or a profile with a region) or pass --region', {
      cause: error,
    });
  }
  if (error.name === 'CredentialsProviderError') {
    return new BadInputError(
      `no AWS credentials (${error.message}): set AWS_PROFILE (after aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      { cause: error },
    );
  }
  return error;
}
