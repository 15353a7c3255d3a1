import { authorSqlProblem } from '../sql/author-sql';
import type { FragmentRole } from '../sql/sql-fragment';
import { authorSqlOf } from './author-sql';
import type { JobSpec } from './types';

/**
 * A job's author SQL through its engine's grammar (src/sql/author-sql). Kept apart from
 * author-sql.ts, which defineJob imports, so defining a job never reaches the parsers.
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

/** Every author field of the job that its engine's parser refuses. */
export async function authorSqlIssues(spec: JobSpec): Promise<AuthorSqlIssue[]> {
  const issues: AuthorSqlIssue[] = [];
  for (const field of authorSqlOf(spec)) {
    const reason = await authorSqlProblem(field.sql, spec.engine, field.role);
    if (reason) issues.push({ path: field.path, role: field.role, reason });
  }
  return issues;
}
