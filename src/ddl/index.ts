// The DDL guard: parses SQL with each engine's real parser, classifies every statement by the
// lock it takes, and refuses lock-dangerous statements unless an operator has consented.

export type { DdlSpec } from '../job/ddl-field';
export { ddlSpecSchema } from '../job/ddl-field';
export type { RunAssumptions } from './analyze-on-database';
export { analyzeOnDatabase } from './analyze-on-database';
export { analyzeScript, analyzeSql } from './analyze-sql';
export type { ConsentLookup, ConsentRecord } from './consent';
export { InMemoryConsents } from './consent';
export type { GuardContext } from './database-catalog';
export { guardContextFromDatabase } from './database-catalog';
export { jobDdlStatements } from './ddl-spec';
export { DdlGuardInputError, DdlSpecError } from './errors';
export { FINGERPRINT_VERSION, normaliseStatement, statementFingerprint } from './fingerprint';
export type { FailOn, LintExitCode, LintOptions, LintReport } from './lint';
export { LINT_EXIT, lintExitCode, lintSql } from './lint';
export type { DdlGuardCheckOptions } from './preflight-check';
export { DDL_GUARD_CHECK, ddlGuardCheck } from './preflight-check';
export type { RuleLevel, RuleLevelIssue, RuleLevels, RuleSettings } from './rule-settings';
export { mergeRuleSettings, RULE_LEVELS, ruleLevelIssues, toRuleSettings } from './rule-settings';
export { DDL_RULES } from './rules';
export { tableBytes } from './table-bytes';
export type {
  Analysis,
  AnalyzeOptions,
  ColumnFacts,
  ConstraintFacts,
  DdlCatalog,
  Finding,
  LockClass,
  MysqlAlgorithm,
  MysqlServer,
  RuleInfo,
  Severity,
} from './types';
export type { ServerVersion, ServerVersions } from './versions';
export { DEFAULT_VERSIONS, parseVersion } from './versions';
