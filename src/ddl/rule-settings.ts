import { DDL_RULES } from './rules';
import type { RuleSetting } from './types';

/** How a repository names a rule's severity, in `.lowtide-lint.json` and in the deployment config alike. */
export const RULE_LEVELS = ['error', 'warning', 'off'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

/** Rule id -> level, as written by a user. */
export type RuleLevels = Readonly<Record<string, RuleLevel>>;

/** Rule id -> what the analysis does with its findings. */
export type RuleSettings = Readonly<Record<string, RuleSetting>>;

const SETTING: Record<RuleLevel, RuleSetting> = { error: 'block', warning: 'warn', off: 'off' };

/** One rule id a user may not set, and what to do instead. */
export interface RuleLevelIssue {
  readonly id: string;
  readonly message: string;
}

/**
 * What is wrong with a repository's rule levels, one issue per id: an id no rule has, or an
 * `*-unparsed` rule turned off. Shared by lint's config file and the deployment config, so the
 * gate refuses exactly the settings lint refuses.
 */
export function ruleLevelIssues(levels: RuleLevels): RuleLevelIssue[] {
  const known = new Set(DDL_RULES.map((r) => r.id));
  const issues: RuleLevelIssue[] = [];
  for (const [id, level] of Object.entries(levels)) {
    if (!known.has(id)) {
      issues.push({
        id,
        message: 'unknown rule id; the rules tables in docs/ddl-guard.md list them (e.g. pg-set-not-null)',
      });
    } else if (id.endsWith('-unparsed') && level !== 'error') {
      // A warning would let an unread statement through the gate just as "off" would.
      issues.push({
        id,
        message: `a statement the parser cannot read is never passed silently; review it and put "-- lowtide-ignore: ${id} -- <reason>" before it instead`,
      });
    }
  }
  return issues;
}

/** The analysis' settings for checked levels (see ruleLevelIssues). */
export function toRuleSettings(levels: RuleLevels): RuleSettings {
  return Object.fromEntries(Object.entries(levels).map(([id, level]) => [id, SETTING[level]]));
}

/** Later settings win, rule by rule: the lint file, then the deployment, then the job's entry. */
export function mergeRuleSettings(
  ...layers: ReadonlyArray<RuleSettings | undefined>
): RuleSettings | undefined {
  const merged = Object.assign({}, ...layers.filter(Boolean)) as Record<string, RuleSetting>;
  return Object.keys(merged).length > 0 ? merged : undefined;
}
