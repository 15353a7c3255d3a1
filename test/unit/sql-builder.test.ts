import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql';
import type { Dialect } from '../../src/db/types';

const positional: Dialect = {
  engine: 'mysql',
  quoteIdent: (n) => `\`${n}\``,
  quoteTable: (t) => `\`${t.name}\``,
  placeholder: () => '?',
};
const numbered: Dialect = { ...positional, engine: 'postgres', placeholder: (n) => `$${n}` };

describe('sql builder', () => {
  it('numbers values by their place in the text, whatever order they were bound in', () => {
    const build = (d: Dialect) =>
      sql(d, (b) => {
        const late = b.val('late');
        const early = b.val('early');
        return `SELECT ${early}, ${b.list([1, 2])}, ${late}`;
      });
    expect(build(positional)).toEqual({ text: 'SELECT ?, ?, ?, ?', values: ['early', 1, 2, 'late'] });
    expect(build(numbered)).toEqual({ text: 'SELECT $1, $2, $3, $4', values: ['early', 1, 2, 'late'] });
  });

  it('drops a bound value that never reached the text', () => {
    const stmt = sql(numbered, (b) => {
      b.val('unused');
      return `SELECT ${b.val(7)}`;
    });
    expect(stmt).toEqual({ text: 'SELECT $1', values: [7] });
  });

  it('refuses an empty list', () => {
    expect(() => sql(numbered, (b) => `x IN (${b.list([])})`)).toThrow(/empty list/);
  });
});
