import { authorSqlIssues, describeAuthorSqlIssue } from '../job/author-sql-issues';
import type { JobSpec } from '../job/types';
import { ConfigError, type ConfigIssue, type LowtideConfig } from './define-config';

/**
 * Synth refuses a config whose jobs hold author SQL their engine's parser does not read as one
 * expression or one read-only SELECT: what would be refused at preflight is refused before it
 * is deployed. Async because the parsers load on first use.
 */
export async function assertConfigAuthorSql(config: LowtideConfig): Promise<void> {
  const issues: ConfigIssue[] = [];
  const check = async (spec: JobSpec, path: string) => {
    for (const issue of await authorSqlIssues(spec)) {
      issues.push({ path: `${path}.${issue.path}`, message: describeAuthorSqlIssue(issue) });
    }
  };
  for (const [i, entry] of config.jobs.entries()) await check(entry.job, `jobs.${i}.job`);
  for (const [i, entry] of config.recipes.entries()) {
    for (const [p, phase] of entry.recipe.phases.entries()) {
      if (phase.kind === 'backfill') await check(phase.job, `recipes.${i}.recipe.phases.${p}.job`);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
