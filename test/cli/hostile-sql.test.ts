import { describe, expect, it } from 'vitest';
import { ENGINES, type TestEngine } from '../support/databases';
import { useCliAccounts } from './support/cli-accounts';
import { runCli } from './support/cli-process';
import { accountsChecksum, tableExists } from './support/table-checks';

const JOB = 'test/cli/fixtures/hostile-job.ts';
const check = (sql: string) => ({ preflight: { checks: [{ name: 'hostile', sql }] } });

/**
 * Hostile author SQL in every field, each as issue 15 found it or close to it: the field it sits in,
 * and the job fields that carry it. Every one must be refused with exit 2 and one line naming
 * the field, before anything reaches the database.
 */
const HOSTILE: Record<TestEngine, readonly [field: string, patch: Record<string, unknown>][]> = {
  postgres: [
    // standard_conforming_strings: '\' is a whole string, and the rest escapes the parentheses.
    ['where', { where: "tier <> '\\' ) OR ( true --'\n" }],
    ['where', { where: "tier <> '\\' ); DROP TABLE accounts; --'" }],
    ['where', { where: '$a$x$a$ IS NOT NULL) OR (true' }],
    ['set.tier', { set: { tier: "$a$') OR (true$a$" } }],
    ['set.applied_count', { set: { tier: "'x'", applied_count: "nextval('s')" } }],
    ['verify.invariant', { verify: { invariant: 'true FROM accounts' } }],
    ['preflight.checks.0.sql', check('SELECT true; DROP TABLE accounts')],
    ['preflight.checks.0.sql', check('UPDATE accounts SET tier = NULL RETURNING true')],
    ['preflight.checks.0.sql', check('WITH d AS (DELETE FROM accounts RETURNING 1) SELECT true')],
  ],
  mysql: [
    // A backslash escapes inside "..." on MySQL/MariaDB: the same trick with double quotes.
    ['where', { where: 'tier <> "\\" ) OR ( true --"\n' }],
    ['where', { where: "tier <> '\\' ); DROP TABLE accounts; --'" }],
    ['where', { where: "tier IS NULL OR note = '?'" }],
    ['set.tier', { set: { tier: "'gold' /*! , applied_count = 99 */" } }],
    ['verify.invariant', { verify: { invariant: "GET_LOCK('x', 0) = 1" } }],
    ['preflight.checks.0.sql', check('DELETE FROM accounts')],
    ['preflight.checks.0.sql', check('SELECT true; DROP TABLE accounts')],
    ['preflight.checks.0.sql', check('SELECT 1 FROM accounts FOR UPDATE')],
  ],
};

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.each(ENGINES)('hostile author SQL on %s', (engine) => {
  const t = useCliAccounts(engine, 2_000);

  for (const [field, patch] of HOSTILE[engine]) {
    it(`refuses ${field} = ${JSON.stringify(patch)} for plan and run, changing nothing`, async () => {
      const before = await accountsChecksum(t.conn, engine);
      const env = {
        LOWTIDE_STATE_DIR: t.state.dir,
        LOWTIDE_TEST_HOSTILE_ENGINE: engine,
        LOWTIDE_TEST_HOSTILE_PATCH: JSON.stringify(patch),
      };
      for (const command of [
        ['plan', JOB, '--database-url', t.db.url],
        ['run', JOB, '--local', '--database-url', t.db.url],
      ]) {
        const result = await runCli(command, { env });
        expect(result.code, result.stderr).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^lowtide: /);
        // The field is named: `- where: ...` (the screen) or `where must be ...` (the parser).
        expect(lines[0]).toMatch(new RegExp(`[ -]${escaped(field)}(:| must)`));
      }
      expect(await tableExists(t.conn, engine, 'accounts')).toBe(true);
      expect(await accountsChecksum(t.conn, engine)).toBe(before);
    });
  }

  it('plans a job whose legitimate check and predicate pass both gates, changing nothing', async () => {
    const before = await accountsChecksum(t.conn, engine);
    const patch = {
      where: "tier IS NULL AND note <> 'a;b -- c'",
      ...check("SELECT count(*) > 0 FROM accounts WHERE note IS NULL OR note <> 'x;y'"),
    };
    const result = await runCli(['plan', JOB, '--database-url', t.db.url, '--no-sample'], {
      env: {
        LOWTIDE_STATE_DIR: t.state.dir,
        LOWTIDE_TEST_HOSTILE_ENGINE: engine,
        LOWTIDE_TEST_HOSTILE_PATCH: JSON.stringify(patch),
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/check:hostile/);
    expect(await accountsChecksum(t.conn, engine)).toBe(before);
  });
});
