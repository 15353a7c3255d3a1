import { authorSqlOf } from '../../job/author-sql';
import { type FragmentEngine, type FragmentRole, sqlFragmentProblem } from '../../job/sql-fragment';
import type { JobSpec } from '../../job/types';

/**
 * The second gate for author SQL, after the lexical screen in defineJob: the engine's real
 * grammar must read each field as exactly one expression (where, set values, invariant) or one
 * read-only SELECT (preflight checks). The parsers load on first use (dynamic import), so only
 * code that validates SQL (the CLI, synth, preflight) carries them.
 */
export interface AuthorSqlIssue {
  readonly path: string;
  readonly role: FragmentRole;
  /** Why, without the field: e.g. `is 2 statements, not one`. */
  readonly reason: string;
}

const WHAT: Record<FragmentRole, string> = {
  expression: 'must be one SQL expression',
  select: 'must be one read-only SELECT',
};

/** `where must be one SQL expression: ...`: the field, what it must be, and why it is not. */
export function describeAuthorSqlIssue(issue: AuthorSqlIssue): string {
  return `${issue.path} ${WHAT[issue.role]}: ${issue.reason}`;
}

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

/** Every author field of the job that its engine's parser refuses (the job's original, for a rollback). */
export async function authorSqlIssues(spec: JobSpec): Promise<AuthorSqlIssue[]> {
  const source = spec.kind === 'rollback' ? spec.of : spec;
  const issues: AuthorSqlIssue[] = [];
  for (const field of authorSqlOf(source)) {
    const reason = await authorSqlProblem(field.sql, spec.engine, field.role);
    if (reason) issues.push({ path: field.path, role: field.role, reason });
  }
  return issues;
}
