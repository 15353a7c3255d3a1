// The MySQL analysis reads a few ALTER TABLE clauses with its own recognizer (src/ddl/mysql/recognizers.ts)
// and, when a statement holds one, skips node-sql-parser for the whole statement, which is sure to fail.
// That is only true while neither of node-sql-parser's grammars reads those clauses: this pins it, so an
// upgrade of node-sql-parser that learns one of them fails here instead of changing what lint reports.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { grammarLacksAClause } from '../../src/ddl/mysql/recognizers';
import { significant, tokenize } from '../../src/sql/lexer';

const requireBuild = createRequire(import.meta.url);
const CLAUSES = [
  'ALTER COLUMN c SET DEFAULT 0',
  "ALTER c SET DEFAULT 'x'",
  'ALTER COLUMN c SET DEFAULT (now())',
  'ALTER COLUMN c DROP DEFAULT',
  'ALTER c DROP DEFAULT',
  'ALTER COLUMN c SET VISIBLE',
  'ALTER COLUMN c SET INVISIBLE',
  'FORCE',
  'CONVERT TO CHARACTER SET utf8mb4',
  'CONVERT TO CHARSET utf8mb4 COLLATE utf8mb4_bin',
  'RENAME INDEX a TO b',
  'RENAME KEY a TO b',
];

describe('ALTER TABLE clauses node-sql-parser cannot read', () => {
  for (const database of ['MySQL', 'MariaDB'] as const) {
    const build = requireBuild(`node-sql-parser/build/${database.toLowerCase()}`) as {
      Parser: new () => { astify(sql: string, options: { database: string }): unknown };
    };
    const parser = new build.Parser();
    it.each(CLAUSES)(
      `${database}'s grammar rejects ALTER TABLE t %s, alone or after another clause`,
      (clause) => {
        expect(grammarLacksAClause(significant(tokenize(`ALTER TABLE t ${clause}`, 'mysql')))).toBe(true);
        expect(() => parser.astify(`ALTER TABLE t ${clause}`, { database })).toThrow();
        expect(() => parser.astify(`ALTER TABLE t ADD COLUMN d INT, ${clause}`, { database })).toThrow();
      },
    );
  }

  it('leaves statements the grammar reads to the parser', () => {
    for (const sql of [
      'ALTER TABLE t ADD COLUMN d INT',
      'ALTER TABLE t MODIFY c BIGINT NOT NULL',
      'UPDATE t SET a = 1',
    ]) {
      expect(grammarLacksAClause(significant(tokenize(sql, 'mysql')))).toBe(false);
    }
  });
});
