import { applyIgnoreComments, applyRuleSettings } from './apply-ignores';
import { DdlGuardInputError } from './errors';
import type { Analysis, AnalyzeOptions, Finding, RuleInfo } from './types';

function sourcesOf(sql: string | readonly string[]): readonly string[] {
  return typeof sql === 'string' ? [sql] : sql;
}

interface EngineAnalyzer {
  readonly analyze: (sources: readonly string[], options: AnalyzeOptions) => Promise<Analysis>;
  readonly rules: readonly RuleInfo[];
}

// Each engine's parser is loaded only when a script of that engine is analysed: libpg-query's
// WASM and node-sql-parser's grammars cost start-up time and memory the other engine never needs.
async function analyzerFor(engine: AnalyzeOptions['engine']): Promise<EngineAnalyzer> {
  if (engine === 'postgres') {
    const [{ analyzePostgres }, { POSTGRES_RULES, pgUnparsed }, { statementTimeoutRule }] = await Promise.all(
      [
        import('./postgres/analyze'),
        import('./postgres/rules'),
        import('./postgres/rules/missing-statement-timeout'),
      ],
    );
    return { analyze: analyzePostgres, rules: [...POSTGRES_RULES, statementTimeoutRule, pgUnparsed] };
  }
  if (engine === 'mysql') {
    const [{ analyzeMysql }, { MYSQL_RULES, mysqlUnparsed }] = await Promise.all([
      import('./mysql/analyze'),
      import('./mysql/rules'),
    ]);
    return { analyze: analyzeMysql, rules: [...MYSQL_RULES, mysqlUnparsed] };
  }
  throw new DdlGuardInputError(`unknown engine ${JSON.stringify(engine)}: use 'postgres' or 'mysql'`);
}

/**
 * Parses the SQL with the engine's real parser and classifies every statement by the lock it
 * takes and whether it rewrites or scans the table. Several sources are read in order as one
 * session would run them (a `SET lock_timeout` in the first covers the second). Then the
 * options' rule settings and the ignore comments in the SQL are applied: ignored findings move
 * to `ignored` with their reason, and a bad ignore comment is a blocking finding of its own.
 */
export async function analyzeScript(
  sql: string | readonly string[],
  options: AnalyzeOptions,
): Promise<Analysis> {
  const sources = sourcesOf(sql);
  const analyzer = await analyzerFor(options.engine);
  const analysis = await analyzer.analyze(sources, options);
  // Settings may name the other engine's rules too (one config serves both), so all are known.
  const allRules = options.rules ? (await import('./rules')).DDL_RULES : analyzer.rules;
  const configured = { ...analysis, findings: applyRuleSettings(analysis.findings, options.rules, allRules) };
  return applyIgnoreComments(sources, configured, options.engine, analyzer.rules);
}

/** The findings for the SQL: see analyzeScript. */
export async function analyzeSql(
  sql: string | readonly string[],
  options: AnalyzeOptions,
): Promise<Finding[]> {
  return [...(await analyzeScript(sql, options)).findings];
}
