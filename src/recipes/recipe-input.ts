import type { Dialect } from '../db/types';
import { identifierProblem, parseTableRef, type TableRef, tableRefProblem } from '../sql/identifiers';
import { RecipeInputError } from './errors';

/** A column type as DDL spells it: `bigint`, `numeric(12,2)`, `timestamp with time zone`, `text[]`. */
const COLUMN_TYPE =
  /^[A-Za-z][A-Za-z0-9_]*( [A-Za-z][A-Za-z0-9_]*){0,3}( ?\(\d{1,5}( ?, ?\d{1,5})?\))?( unsigned)?(\[\])?$/i;

export function requireTable(value: string): TableRef {
  const problem = tableRefProblem(value);
  if (problem) throw new RecipeInputError(`recipe table ${problem}`);
  return parseTableRef(value)!;
}

export function requireIdentifier(what: string, value: string): string {
  const problem = identifierProblem(value);
  if (problem) throw new RecipeInputError(`recipe ${what} ${problem}`);
  return value;
}

/** Types are spliced into DDL (no bind parameter can stand for one), so only plain spellings pass. */
export function requireColumnType(value: string): string {
  const trimmed = value.trim();
  if (!COLUMN_TYPE.test(trimmed)) {
    throw new RecipeInputError(
      `recipe column type ${JSON.stringify(value)} is not a plain type name: use e.g. bigint, numeric(12,2), varchar(40) or timestamp with time zone`,
    );
  }
  return trimmed;
}

/** The recipe's quoted names, built once from validated parts. */
export function quoted(dialect: Dialect, table: TableRef) {
  return { table: dialect.quoteTable(table), ident: (name: string) => dialect.quoteIdent(name) };
}

/** A phase timeout the recipe's author set: a whole, positive number of milliseconds, or none. */
export function optionalTimeout(value: number | undefined): { statementTimeoutMs?: number } {
  if (value === undefined) return {};
  if (!Number.isInteger(value) || value <= 0) {
    throw new RecipeInputError(
      `recipe statementTimeoutMs must be a whole, positive number of milliseconds (got ${value}), or left unset for the runner's default`,
    );
  }
  return { statementTimeoutMs: value };
}
