import { identifierProblem, isIdentifier, type TableRef } from '../../sql/identifiers';
import type { Dialect } from '../types';

/**
 * A name reached SQL generation without passing identifier validation. This is a bug or an
 * unvalidated job file, never something to quote around: quoting only what validation accepts is
 * what makes escaping impossible.
 */
export class UnsafeIdentifierError extends Error {
  override readonly name = 'UnsafeIdentifierError';
  constructor(readonly identifier: string) {
    super(
      `refusing to quote ${JSON.stringify(identifier)} as a PostgreSQL identifier: it ${identifierProblem(identifier)}`,
    );
  }
}

function quoteIdent(name: string): string {
  if (!isIdentifier(name)) throw new UnsafeIdentifierError(name);
  // Validation admits no double quote, so wrapping is enough; quoting keeps mixed-case names and
  // reserved words (e.g. "order") meaning exactly what the job author wrote.
  return `"${name}"`;
}

export const postgresDialect: Dialect = {
  engine: 'postgres',
  quoteIdent,
  quoteTable(ref: TableRef): string {
    return ref.schema ? `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}` : quoteIdent(ref.name);
  },
  placeholder(n: number): string {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`bind placeholders are numbered from 1; got ${n}`);
    return `$${n}`;
  },
};
