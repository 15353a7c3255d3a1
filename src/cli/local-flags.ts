import { isAbsolute, join } from 'node:path';
import { DEFAULT_FLAGS_FILE, flagReaderFor } from '../health/local-flags';
import type { FlagReader } from '../health/types';
import type { CliContext } from './context';

/**
 * Where a local run and `lowtide plan` read feature flags: LOWTIDE_FLAGS (a file path, relative to
 * the working directory, or an http(s) URL answering the same JSON), else `lowtide.flags.json` in
 * the working directory. Read at every check, so editing the file flips a flag for a running job.
 */
export function localFlagsSource(ctx: Pick<CliContext, 'cwd' | 'env'>): string {
  const named = ctx.env.LOWTIDE_FLAGS;
  if (named && /^https?:\/\//.test(named)) return named;
  if (named) return isAbsolute(named) ? named : join(ctx.cwd, named);
  return join(ctx.cwd, DEFAULT_FLAGS_FILE);
}

export function localFlags(ctx: Pick<CliContext, 'cwd' | 'env'>): FlagReader {
  return flagReaderFor(localFlagsSource(ctx));
}
