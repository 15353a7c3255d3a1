import { type FragmentEngine, type FragmentRole, sqlFragmentProblem } from '../sql-fragment';

/**
 * The second gate for author SQL, after the lexical screen in defineJob: the engine's real
 * grammar must read each field as exactly one expression (where, set values, invariant) or one
 * read-only SELECT (preflight checks). The parsers load on first use (dynamic import), so only
 * code that validates SQL (the CLI, synth, preflight) carries them. Which fields of a job are
 * author SQL is the job's business: src/job/author-sql-issues.ts walks them through this gate.
 */

/** One fragment, screened and then parsed; undefined when it is what its role says. */
export async function authorSqlProblem(
  text: string,
  engine: FragmentEngine,
  role: FragmentRole,
): Promise<string | undefined> {
  const screened = sqlFragmentProblem(text, engine, role);
  if (screened) return screened;
  if (engine === 'postgres') {
    const { postgresAuthorSqlProblem } = await import('./postgres-author-sql');
    return postgresAuthorSqlProblem(text, role);
  }
  const { mysqlAuthorSqlProblem } = await import('./mysql-author-sql');
  return mysqlAuthorSqlProblem(text, role);
}
