import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ddlRulesOf } from '../config/ddl-guard';
import { ConfigError, type LowtideConfig, parseConfig } from '../config/define-config';
import { DdlGuardInputError } from '../ddl/errors';
import { mergeRuleSettings, type RuleSettings } from '../ddl/rule-settings';
import type { JobSpec } from '../job/types';
import { BadInputError, oneLine } from './errors';
import { findLintConfig } from './lint/find-lint-config';

/** The DDL rule settings a local plan or run applies, and the files they came from (for the report). */
export interface LocalDdlRules {
  readonly rules?: RuleSettings;
  readonly from: readonly string[];
}

/**
 * What `lowtide plan` and `lowtide run --local` hand the DDL guard: the `rules` of the
 * `.lowtide-lint.json` nearest the job file (so plan agrees with `lowtide lint` in the same
 * repository), then, with `--config`, the deployment config's `ddlGuard` and the job's entry's
 * (what the deployed gate applies), each later one winning rule by rule.
 */
export async function localDdlRules(
  spec: JobSpec,
  jobFile: string,
  options: { readonly cwd: string; readonly config?: string },
): Promise<LocalDdlRules> {
  const from: string[] = [];
  let fromLint: RuleSettings | undefined;
  const lintFile = await findLintConfig(dirname(resolve(options.cwd, jobFile)));
  if (lintFile) {
    // The schema loads only when a repository has a lint config.
    const { readLintConfig } = await import('./lint/lint-config');
    try {
      fromLint = (await readLintConfig(lintFile)).analysis.rules;
    } catch (error) {
      if (error instanceof DdlGuardInputError) throw new BadInputError(error.message, { cause: error });
      throw error;
    }
    from.push(lintFile);
  }
  let fromConfig: RuleSettings | undefined;
  if (options.config) {
    fromConfig = ddlRulesOf(await loadDeploymentConfig(options.config, options.cwd), spec.id);
    from.push(options.config);
  }
  const rules = mergeRuleSettings(fromLint, fromConfig);
  return { ...(rules ? { rules } : {}), from };
}

/** Imports a `lowtide.config.ts` (its default export) and validates it; every failure is bad input. */
export async function loadDeploymentConfig(file: string, cwd: string): Promise<LowtideConfig> {
  let exported: unknown;
  try {
    exported = (await import(pathToFileURL(resolve(cwd, file)).href)).default;
  } catch (error) {
    const why =
      error instanceof ConfigError ? error.message : oneLine((error as Error).message ?? String(error));
    throw new BadInputError(`the deployment config '${file}' could not be loaded: ${why}`, { cause: error });
  }
  if (exported === undefined) {
    throw new BadInputError(
      `the deployment config '${file}' has no default export: end it with export default defineConfig({ ... })`,
    );
  }
  try {
    // defineConfig's result parses again to itself; a plain object is checked here.
    return parseConfig(exported);
  } catch (error) {
    if (error instanceof ConfigError) throw new BadInputError(`${file}: ${error.message}`, { cause: error });
    throw error;
  }
}
