import type { TableRef } from '../sql/identifiers';
import type { Dialect } from './types';

export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

// Marks a value's place while the text is built; replaced by the dialect's placeholder at the end.
const MARK = '\u0000';
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the mark precisely because SQL text never holds it.
const MARKS = /\u0000(\d+)\u0000/g;

/**
 * Builds one statement for a dialect: identifiers go through the dialect's quoting (which refuses
 * anything unvalidated) and every value becomes a bind parameter, so nothing is spliced. Values
 * may be bound in any order: `sql()` numbers them by their place in the final text, which
 * positional `?` placeholders (MySQL) require.
 */
export class SqlBuilder {
  private readonly bound: unknown[] = [];

  constructor(readonly dialect: Dialect) {}

  id(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  table(ref: TableRef): string {
    return this.dialect.quoteTable(ref);
  }

  val(value: unknown): string {
    this.bound.push(value);
    return `${MARK}${this.bound.length - 1}${MARK}`;
  }

  /** A comma-separated list of placeholders, e.g. for `IN (...)`. */
  list(values: readonly unknown[]): string {
    if (values.length === 0)
      throw new Error('an empty list cannot be bound: guard against it before building SQL');
    return values.map((v) => this.val(v)).join(', ');
  }

  /** Replaces the marks with placeholders numbered in text order. */
  finish(text: string): Statement {
    if (text.includes(MARK) === false) return { text, values: [] };
    const values: unknown[] = [];
    const finished = text.replace(MARKS, (_, index: string) => {
      values.push(this.bound[Number(index)]);
      return this.dialect.placeholder(values.length);
    });
    return { text: finished, values };
  }
}

export function sql(dialect: Dialect, build: (b: SqlBuilder) => string): Statement {
  const b = new SqlBuilder(dialect);
  return b.finish(build(b));
}
