import type { TableRef } from '../job/identifiers';
import type { Dialect } from './types';

export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * Builds one statement for a dialect: identifiers go through the dialect's quoting (which refuses
 * anything unvalidated) and every value becomes a bind parameter, so nothing is spliced.
 */
export class SqlBuilder {
  readonly values: unknown[] = [];

  constructor(readonly dialect: Dialect) {}

  id(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  table(ref: TableRef): string {
    return this.dialect.quoteTable(ref);
  }

  val(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }

  /** A comma-separated list of placeholders, e.g. for `IN (...)`. */
  list(values: readonly unknown[]): string {
    if (values.length === 0) throw new Error('an empty list cannot be bound: guard against it before building SQL');
    return values.map((v) => this.val(v)).join(', ');
  }
}

export function sql(dialect: Dialect, build: (b: SqlBuilder) => string): Statement {
  const b = new SqlBuilder(dialect);
  const text = build(b);
  return { text, values: b.values };
}
