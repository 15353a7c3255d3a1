import { describe, expect, it } from 'vitest';
import { authorSqlProblem } from '../../src/sql/author-sql';
import type { FragmentEngine, FragmentRole } from '../../src/sql/sql-fragment';

type Case = readonly [engine: FragmentEngine | 'both', role: FragmentRole, sql: string];
const engines = (e: FragmentEngine | 'both'): FragmentEngine[] =>
  e === 'both' ? ['postgres', 'mysql'] : [e];

const LEGITIMATE: readonly Case[] = [
  ['both', 'expression', "note = 'a;b'"],
  ['both', 'expression', "status IN ('a','b')"],
  ['both', 'expression', 'tier IS NULL AND lifetime_value > 1000'],
  ['both', 'expression', "CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'standard' END"],
  ['both', 'expression', 'id IN (SELECT account_id FROM blocked)'],
  ['postgres', 'expression', "created_at < now() - interval '30 days'"],
  ['postgres', 'expression', "note <> E'\\\\'"],
  ['mysql', 'expression', 'expires_at < NOW() - INTERVAL 30 DAY'],
  ['both', 'select', 'SELECT count(*) = 0 FROM accounts WHERE tier IS NULL'],
  ['both', 'select', "SELECT EXISTS (SELECT 1 FROM schema_version WHERE version >= 42) AND 'a;b' = 'a;b'"],
  ['postgres', 'select', 'WITH v AS (SELECT max(version) AS n FROM schema_version) SELECT n >= 42 FROM v'],
];

const HOSTILE: readonly [...Case, RegExp][] = [
  ['both', 'expression', '1, 2', /separated by commas/],
  ['both', 'expression', 'true FROM accounts', /more than an expression/],
  ['both', 'expression', 'true WHERE false', /more than an expression/],
  ['both', 'expression', '1 UNION SELECT 2', /more than an expression/],
  ['both', 'expression', 'true AS x', /alias/],
  ['both', 'expression', '*', /'\*'/],
  ['postgres', 'expression', 'true INTO evil', /more than an expression|INTO/],
  ['postgres', 'expression', 'true FOR UPDATE', /more than an expression|FOR UPDATE/],
  ['postgres', 'expression', "nextval('s') > 0", /nextval/],
  ['postgres', 'expression', 'pg_advisory_lock(1) IS NOT NULL', /pg_advisory_lock/],
  ['postgres', 'expression', 'EXISTS (WITH d AS (DELETE FROM accounts RETURNING 1) SELECT 1)', /DELETE/],
  ['mysql', 'expression', '@a := 1', /assigns/],
  ['mysql', 'expression', "GET_LOCK('x', 0) = 1", /GET_LOCK/],
  ['mysql', 'expression', 'id IN (SELECT id FROM t FOR UPDATE)', /FOR UPDATE/],
  ['both', 'expression', 'tier IS NULL AND', /cannot (parse|read)|alias/],
  ['postgres', 'select', 'SELECT true; DROP TABLE t', /';'/],
  ['postgres', 'select', 'UPDATE accounts SET tier = NULL RETURNING true', /UPDATE statement, not a SELECT/],
  ['mysql', 'select', 'DELETE FROM accounts', /DELETE statement, not a SELECT/],
  ['mysql', 'select', 'UPDATE accounts SET tier = NULL', /UPDATE statement, not a SELECT/],
  ['postgres', 'select', 'WITH d AS (DELETE FROM accounts RETURNING 1) SELECT true', /DELETE/],
  ['postgres', 'select', 'SELECT true INTO copy FROM accounts', /INTO/],
  ['both', 'select', 'SELECT true FROM accounts FOR UPDATE', /FOR UPDATE/],
  ['mysql', 'select', 'SELECT 1 INTO @x', /INTO/],
  ['postgres', 'select', "SELECT set_config('a.b', 'c', false) IS NOT NULL", /set_config/],
];

describe("author SQL read by the engine's own grammar", () => {
  for (const [engine, role, sql] of LEGITIMATE) {
    for (const e of engines(engine)) {
      it(`${e} accepts the ${role} ${JSON.stringify(sql)}`, async () => {
        expect(await authorSqlProblem(sql, e, role)).toBeUndefined();
      });
    }
  }
  for (const [engine, role, sql, message] of HOSTILE) {
    for (const e of engines(engine)) {
      it(`${e} refuses the ${role} ${JSON.stringify(sql)}`, async () => {
        expect(await authorSqlProblem(sql, e, role)).toMatch(message);
      });
    }
  }
});
