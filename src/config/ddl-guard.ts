import { z } from 'zod';
import {
  mergeRuleSettings,
  RULE_LEVELS,
  type RuleSettings,
  ruleLevelIssues,
  toRuleSettings,
} from '../ddl/rule-settings';
import type { JobSpec } from '../job/types';

/**
 * `ddlGuard` in the deployment config (for every job and recipe) or in one job's or recipe's entry:
 * the rule severities the preflight gate and the recipes' phase guard apply, written as in
 * `.lowtide-lint.json`, and refused for the same reasons (src/ddl/rule-settings.ts).
 */
export const ddlGuardSchema = z
  .object({
    /** Rule id -> "error", "warning" or "off"; the rules tables in docs/ddl-guard.md list the ids. */
    rules: z
      .record(z.string(), z.enum(RULE_LEVELS, { message: 'use "error", "warning" or "off"' }))
      .default({}),
  })
  .strict()
  .superRefine(({ rules }, ctx) => {
    for (const issue of ruleLevelIssues(rules)) {
      ctx.addIssue({ code: 'custom', path: ['rules', issue.id], message: issue.message });
    }
  });

export type DdlGuardInput = z.input<typeof ddlGuardSchema>;
export type DdlGuardConfig = z.output<typeof ddlGuardSchema>;

interface WithDdlGuard {
  readonly ddlGuard?: DdlGuardConfig;
}

/** What the gate needs of the config: its own settings and those of each job's and recipe's entry. */
export interface DdlGuardSources extends WithDdlGuard {
  readonly jobs: ReadonlyArray<WithDdlGuard & { readonly job: Pick<JobSpec, 'id'> }>;
  readonly recipes: ReadonlyArray<WithDdlGuard & { readonly recipe: { readonly id: string } }>;
}

/**
 * The rule settings the gate applies to one job or recipe (by id): the deployment's `ddlGuard`,
 * then its entry's, rule by rule. Undefined when neither sets any.
 */
export function ddlRulesOf(config: DdlGuardSources, id: string): RuleSettings | undefined {
  // A fleet member's run (`<job>_<member>`) applies its fleet job's entry.
  const jobId = id.includes('_') ? id.slice(0, id.indexOf('_')) : id;
  const entry =
    config.jobs.find((e) => e.job.id === id || e.job.id === jobId) ??
    config.recipes.find((e) => e.recipe.id === id);
  return mergeRuleSettings(
    toRuleSettings(config.ddlGuard?.rules ?? {}),
    toRuleSettings(entry?.ddlGuard?.rules ?? {}),
  );
}
