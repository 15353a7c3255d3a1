import { ceilingProblem } from '../job/statement-ceiling';
import { phaseTimeoutProblem } from '../recipes/phase-timeout';
import { recipeControlSpec } from '../recipes/registration';
import { ConfigError, type ConfigIssue, type LowtideConfig } from './define-config';
import { APPLY_BATCH_TIMEOUT_SECONDS, applyBatchCeiling } from './function-timeouts';

/**
 * The timeouts of a deployment's jobs and recipe phases that the function running them cannot
 * honour: each job's (and each recipe backfill's) limits.statementTimeoutMs, and each recipe DDL
 * phase's own statementTimeoutMs, against the ApplyBatch function's timeout less a margin.
 * Checked at synth; preflight checks the same on Lambda, and what only the database can tell
 * (a table too big for the time a phase has).
 */
export function statementFitIssues(
  config: LowtideConfig,
  applyBatchTimeoutSeconds: number = APPLY_BATCH_TIMEOUT_SECONDS,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const jobCeiling = applyBatchCeiling('job', applyBatchTimeoutSeconds);
  config.jobs.forEach(({ job }, i) => {
    const problem = ceilingProblem(
      `job '${job.id}'`,
      'limits.statementTimeoutMs',
      job.limits.statementTimeoutMs,
      jobCeiling,
    );
    if (problem) issues.push({ path: `jobs.${i}.job.limits.statementTimeoutMs`, message: problem });
  });
  const recipeCeiling = applyBatchCeiling('recipe', applyBatchTimeoutSeconds);
  config.recipes.forEach((entry, i) => {
    const { recipe } = entry;
    const spec = recipeControlSpec(entry);
    const problem = ceilingProblem(
      `recipe '${recipe.id}'`,
      'limits.statementTimeoutMs',
      spec.limits.statementTimeoutMs,
      recipeCeiling,
    );
    if (problem) issues.push({ path: `recipes.${i}.limits.statementTimeoutMs`, message: problem });
    recipe.phases.forEach((phase, j) => {
      if (phase.kind !== 'ddl') return;
      const tooLong = phaseTimeoutProblem(recipe.id, phase, recipeCeiling);
      if (tooLong)
        issues.push({ path: `recipes.${i}.recipe.phases.${j}.statementTimeoutMs`, message: tooLong });
    });
  });
  return issues;
}

/** Throws ConfigError naming every timeout of the config the deployed functions cannot honour. */
export function checkStatementsFit(config: LowtideConfig, applyBatchTimeoutSeconds?: number): void {
  const issues = statementFitIssues(config, applyBatchTimeoutSeconds);
  if (issues.length > 0) throw new ConfigError(issues);
}
