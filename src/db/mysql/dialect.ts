import { identifierProblem, isIdentifier, type TableRef } from '../../sql/identifiers';
import type { Dialect } from '../types';

/** A name reached SQL quoting without passing identifier validation; the SQL is never built. */
export class UnsafeIdentifierError extends Error {
  override readonly name = 'UnsafeIdentifierError';
  constructor(readonly identifier: string) {
    super(`refusing to quote a MySQL identifier: it ${identifierProblem(identifier)}`);
  }
}

function quoteIdent(name: string): string {
  // The validated alphabet has no backtick, so wrapping is enough; refusing everything else means a
  // crafted name can never close the quote.
  if (!isIdentifier(name)) throw new UnsafeIdentifierError(name);
  return `\`${name}\``;
}

/** MySQL / MariaDB spelling. `TableRef.schema` is the database name (MySQL has no schemas inside one). */
export const mysqlDialect: Dialect = {
  engine: 'mysql',
  quoteIdent,
  quoteTable(ref: TableRef): string {
    return ref.schema === undefined
      ? quoteIdent(ref.name)
      : `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
  },
  placeholder(): string {
    return '?';
  },
};
