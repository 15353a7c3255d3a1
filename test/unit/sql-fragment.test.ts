import { describe, expect, it } from 'vitest';
import { defineJob, JobSpecError } from '../../src/job/define-job';
import { type FragmentEngine, sqlFragmentProblem } from '../../src/sql/sql-fragment';
import { refusedIssues } from '../support/refusals';

type Case = readonly [engine: FragmentEngine | 'both', fragment: string];

/** Legitimate expressions an author writes, each of which must pass the screen. */
const LEGITIMATE: readonly Case[] = [
  ['both', "note = 'a;b'"],
  ['both', "note = 'a -- b /* c */ # d'"],
  ['both', "status IN ('a','b')"],
  ['both', "note = 'it''s'"],
  ['both', 'tier IS NULL AND (lifetime_value > 1000 OR region = 7)'],
  ['both', "CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'standard' END"],
  ['postgres', "created_at < now() - interval '30 days'"],
  ['postgres', '"Mixed Case" IS NOT NULL'],
  ['postgres', "note <> E'\\\\'"],
  ['postgres', "note <> E'\\''"],
  ['postgres', "payload->>'kind' = 'x' AND tags @> ARRAY['a']"],
  ['postgres', 'a$b IS NULL'],
  ['mysql', 'expires_at < NOW() - INTERVAL 30 DAY'],
  ['mysql', '`order` > 1'],
  ['mysql', 'note = "a;b"'],
  ['mysql', '1--1 = 2 OR true'.replace('--', '- -')],
];

/** Hostile fragments, with what the refusal must mention. */
const HOSTILE: readonly [...Case, RegExp][] = [
  // The issue's attack: PostgreSQL reads '\' as a complete string, so the rest escapes the parentheses.
  ['postgres', "note <> '\\' ) OR ( true --'\n", /backslash/],
  // MariaDB reads "\" as an unterminated string start, so the same trick with double quotes.
  ['mysql', 'note <> "\\" ) OR ( true --"\n', /backslash/],
  ['mysql', "note <> '\\' ) OR ( true --'\n", /backslash/],
  ['postgres', '$a$ x $a$ = $a$ x $a$', /dollar-quoted/],
  ['postgres', "$a$') OR (true$a$ = 'x'", /dollar-quoted/],
  ['postgres', '$$ x $$ IS NULL', /dollar-quoted/],
  ['postgres', '$1 IS NULL', /bind placeholder/],
  // `*/*` lexes as one operator; the server reads a comment, and MySQL runs a `/*!` comment's text.
  ['mysql', "a = 1 */*! 1 OR GET_LOCK('x',10) OR 1 * */ 1", /'\/\*' or '\*\/'/],
  ['postgres', "1 */* ' */ ; DROP TABLE x; -- '", /'\/\*' or '\*\/'/],
  ['mysql', "note = '?'", /'\?'/],
  ['mysql', 'id = ?', /bind placeholder|'\?'/],
  ['both', 'tier IS NULL; DROP TABLE t', /single SQL expression.*';'/],
  ['both', 'tier IS NULL -- and more', /comment/],
  ['both', 'tier /* x */ IS NULL', /comment/],
  ['mysql', 'tier IS NULL # x', /comment/],
  ['mysql', 'tier IS NULL /*! OR true */', /comment/],
  ['mysql', '1 --1', /'--'/],
  ['both', '(tier IS NULL', /unclosed/],
  ['both', 'tier IS NULL) OR (true', /without its/],
  ['both', "note = 'abc", /unterminated/],
  ['both', '', /empty/],
  ['both', 'a = 1\u0000', /control/],
  ['mysql', 'a = \\N', /backslash outside quotes/],
];

const engines = (e: FragmentEngine | 'both'): FragmentEngine[] =>
  e === 'both' ? ['postgres', 'mysql'] : [e];

describe('the lexical screen of author SQL', () => {
  for (const [engine, fragment] of LEGITIMATE) {
    for (const e of engines(engine)) {
      it(`${e} accepts ${JSON.stringify(fragment)}`, () => {
        expect(sqlFragmentProblem(fragment, e)).toBeUndefined();
      });
    }
  }
  for (const [engine, fragment, message] of HOSTILE) {
    for (const e of engines(engine)) {
      it(`${e} refuses ${JSON.stringify(fragment)}`, () => {
        expect(sqlFragmentProblem(fragment, e)).toMatch(message);
      });
    }
  }

  it('screens a check as a whole SELECT', () => {
    expect(sqlFragmentProblem("SELECT count(*) = 0 FROM t WHERE note = 'a;b'", 'postgres', 'select')).toBe(
      undefined,
    );
    expect(sqlFragmentProblem('SELECT true; DROP TABLE t', 'postgres', 'select')).toMatch(
      /single SELECT: remove the ';'/,
    );
  });
});

describe('defineJob screens every author field with its engine', () => {
  const base = {
    id: 'screen-x',
    owner: 'data',
    database: 'primary',
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'gold'" },
  } as const;
  const issuesOf = (input: unknown) => refusedIssues(() => defineJob(input as never), JobSpecError);

  it.each([
    ['postgres', 'where', { where: "note <> '\\' ) OR ( true --'\n" }],
    ['mysql', 'where', { where: 'note <> "\\" ) OR ( true --"\n' }],
    ['postgres', 'set.tier', { set: { tier: '$a$x$a$) OR (true' } }],
    ['mysql', 'verify.invariant', { verify: { invariant: 'tier IS NOT NULL; DELETE FROM t' } }],
    [
      'postgres',
      'preflight.checks.0.sql',
      { preflight: { checks: [{ name: 'v', sql: 'SELECT true; DROP TABLE t' }] } },
    ],
  ] as const)('%s: %s', (engine, path, patch) => {
    const issues = issuesOf({ ...base, engine, ...patch });
    expect(Object.keys(issues)).toEqual([path]);
  });

  it('reads the same text by each engine: a backslash in E-quotes is PostgreSQL only', () => {
    expect(defineJob({ ...base, engine: 'postgres', where: "note <> E'\\\\'" }).kind).toBe('update');
    expect(Object.keys(issuesOf({ ...base, engine: 'mysql', where: "note <> E'\\\\'" }))).toEqual(['where']);
  });
});
