import { authorSqlIssues, describeAuthorSqlIssue } from '../../../job/author-sql-issues';
import { kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

/**
 * The job's author SQL, read by the engine's own grammar, before any check sends it to the
 * database: a deployed function refuses what the CLI and synth refuse, even for a job that
 * reached it some other way. Gating: when it fails, no later check runs the SQL.
 */
export const authorSql: PreflightCheck = {
  name: 'author-sql',
  description:
    'Each where, set value and verify.invariant is one SQL expression and each preflight.checks[].sql one read-only SELECT, by the engine’s parser.',
  async run({ spec }) {
    // A rollback runs its original's author SQL.
    const issues = await authorSqlIssues(kindOf(spec).undoes?.(spec) ?? spec);
    if (issues.length === 0)
      return pass(this.name, "the job's SQL reads as expressions and read-only SELECTs");
    return issues.map((issue) => refuse(this.name, describeAuthorSqlIssue(issue)));
  },
};
