import { sql } from '../../../db/sql';
import { DbError } from '../../../db/types';
import type { JobSpec } from '../../../job/types';
import { isDeclarative, kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

/**
 * The change as it will run, planned but not executed (EXPLAIN), so a typo in a SET expression or
 * the predicate is found before the first batch instead of by it. Preflight runs it in a
 * read-only transaction: PostgreSQL plans an UPDATE or DELETE there (plain EXPLAIN, no ANALYZE);
 * MySQL and MariaDB refuse even EXPLAIN of one (error 1792), so there the same expressions are
 * planned as a SELECT over the table, which resolves the same names and functions.
 */
function applyStatement(spec: JobSpec, dialect: Parameters<typeof sql>[0]) {
  const where = 'where' in spec && spec.where ? `(${spec.where})` : '1 = 1';
  return sql(dialect, (b) => {
    const table = b.table(spec.table);
    const assigned = kindOf(spec).assignments?.(spec);
    const values = assigned ? Object.values(assigned).map((e) => `(${e})`) : [];
    if (dialect.engine === 'mysql')
      return `SELECT ${['1', ...values].join(', ')} FROM ${table} WHERE ${where} AND 1 = 0`;
    if (assigned) {
      const set = Object.entries(assigned).map(([c, e]) => `${b.id(c)} = (${e})`);
      return `UPDATE ${table} SET ${set.join(', ')} WHERE ${where} AND 1 = 0`;
    }
    return `DELETE FROM ${table} WHERE ${where} AND 1 = 0`;
  });
}

export const statements: PreflightCheck = {
  name: 'statements',
  description: "The job's change statement plans without error (EXPLAIN, not executed).",
  appliesTo: (spec) => isDeclarative(spec),
  async run({ spec, db }) {
    const stmt = applyStatement(spec, db.dialect);
    try {
      await db.query(`EXPLAIN ${stmt.text}`, stmt.values);
      return pass(this.name, 'the change statement is valid SQL for this server');
    } catch (error) {
      const message = error instanceof DbError || error instanceof Error ? error.message : String(error);
      return refuse(
        this.name,
        `the server rejects the job's SQL (${message}): fix the job's where/set expressions`,
      );
    }
  },
};
