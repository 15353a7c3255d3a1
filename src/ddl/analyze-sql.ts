import { DdlGuardInputError } from './errors';
import { analyzeMysql } from './mysql/analyze';
import { analyzePostgres } from './postgres/analyze';
import type { Analysis, AnalyzeOptions, Finding } from './types';

function sourcesOf(sql: string | readonly string[]): readonly string[] {
  return typeof sql === 'string' ? [sql] : sql;
}

/**
 * Parses the SQL with the engine's real parser and classifies every statement by the lock it
 * takes and whether it rewrites or scans the table. Several sources are read in order as one
 * session would run them (a `SET lock_timeout` in the first covers the second).
 */
export async function analyzeScript(
  sql: string | readonly string[],
  options: AnalyzeOptions,
): Promise<Analysis> {
  if (options.engine === 'postgres') return analyzePostgres(sourcesOf(sql), options);
  if (options.engine === 'mysql') return analyzeMysql(sourcesOf(sql), options);
  throw new DdlGuardInputError(`unknown engine ${JSON.stringify(options.engine)}: use 'postgres' or 'mysql'`);
}

/** The findings for the SQL: see analyzeScript. */
export async function analyzeSql(
  sql: string | readonly string[],
  options: AnalyzeOptions,
): Promise<Finding[]> {
  return [...(await analyzeScript(sql, options)).findings];
}
