import type { FragmentRole } from '../sql/sql-fragment';

/** One piece of SQL a job's author wrote, with the field it came from. */
export interface AuthorSql {
  /** Dotted path of the field, e.g. `where`, `set.tier`, `preflight.checks.0.sql`. */
  readonly path: string;
  readonly role: FragmentRole;
  readonly sql: string;
}

interface WithAuthorSql {
  readonly where?: unknown;
  readonly set?: unknown;
  readonly verify?: { readonly invariant?: unknown };
  readonly preflight?: { readonly checks?: readonly { readonly sql?: unknown }[] };
}

/**
 * Every field of a job whose text lowtide sends to the database as SQL, whatever the job's kind.
 * The one list the lexical screen, the parser check and the preflight check all walk, so a new
 * author field is checked everywhere once it is listed here. (`ddl.statements` are whole
 * statements with their own guard, src/ddl; custom jobs' hooks are code, not text.)
 */
export function authorSqlOf(spec: WithAuthorSql): AuthorSql[] {
  const out: AuthorSql[] = [];
  if (typeof spec.where === 'string') out.push({ path: 'where', role: 'expression', sql: spec.where });
  if (spec.set && typeof spec.set === 'object') {
    for (const [column, value] of Object.entries(spec.set)) {
      if (typeof value === 'string') out.push({ path: `set.${column}`, role: 'expression', sql: value });
    }
  }
  const invariant = spec.verify?.invariant;
  if (typeof invariant === 'string')
    out.push({ path: 'verify.invariant', role: 'expression', sql: invariant });
  (spec.preflight?.checks ?? []).forEach((check, i) => {
    if (typeof check?.sql === 'string')
      out.push({ path: `preflight.checks.${i}.sql`, role: 'select', sql: check.sql });
  });
  return out;
}
