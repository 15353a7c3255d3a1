import { describe, expect, it } from 'vitest';
import { analyzeScript, DDL_RULES } from '../../src/ddl';
import { IGNORE_INVALID_RULE } from '../../src/ddl/apply-ignores';

// Both timeouts on one line, so the statements after it keep their line numbers.
const TIMEOUT = "SET lock_timeout = '2s'; SET statement_timeout = '30s';\n";

describe('ignore comments (per statement, per file, with a reason)', () => {
  it('sets a finding aside with its reason when the comment sits just before the statement', async () => {
    const sql = `${TIMEOUT}-- lowtide-ignore: pg-create-index-without-concurrently -- the table is empty until the launch\nCREATE INDEX i1 ON accounts (tier);\nCREATE INDEX i2 ON accounts (tier);\n`;
    const analysis = await analyzeScript(sql, { engine: 'postgres' });
    expect(analysis.findings.map((f) => [f.rule, f.line])).toEqual([
      ['pg-create-index-without-concurrently', 4],
    ]);
    expect(analysis.ignored).toEqual([
      expect.objectContaining({
        rule: 'pg-create-index-without-concurrently',
        line: 3,
        statement: 'CREATE INDEX i1 ON accounts (tier)',
        ignored: { scope: 'statement', reason: 'the table is empty until the launch', line: 2 },
      }),
    ]);
  });

  it('takes several rule ids, comma-separated, over several comment lines', async () => {
    const sql = `-- migration 42\n-- lowtide-ignore: pg-create-index-without-concurrently, pg-missing-lock-timeout, pg-missing-statement-timeout -- built before traffic is switched over\nCREATE INDEX i1 ON accounts (tier);\n`;
    const analysis = await analyzeScript(sql, { engine: 'postgres' });
    expect(analysis.findings).toEqual([]);
    expect(analysis.ignored?.map((f) => f.rule).sort()).toEqual([
      'pg-create-index-without-concurrently',
      'pg-missing-lock-timeout',
      'pg-missing-statement-timeout',
    ]);
  });

  it('applies a file comment to every statement of that source only', async () => {
    const file = `-- lowtide-ignore-file: pg-create-index-without-concurrently -- a new schema nobody reads yet\n${TIMEOUT}CREATE INDEX i1 ON a (x);\nCREATE INDEX i2 ON b (x);\n`;
    const other = 'CREATE INDEX i3 ON c (x);';
    const analysis = await analyzeScript([file, other], { engine: 'postgres' });
    expect(analysis.ignored?.map((f) => [f.statement, f.ignored.scope])).toEqual([
      ['CREATE INDEX i1 ON a (x)', 'file'],
      ['CREATE INDEX i2 ON b (x)', 'file'],
    ]);
    expect(analysis.findings.map((f) => f.statement)).toEqual(['CREATE INDEX i3 ON c (x)']);
  });

  it('does not reach past the next statement', async () => {
    const sql = `${TIMEOUT}-- lowtide-ignore: pg-create-index-without-concurrently -- reviewed\nALTER TABLE a ADD COLUMN n text;\nCREATE INDEX i1 ON a (n);\n`;
    const analysis = await analyzeScript(sql, { engine: 'postgres' });
    expect(analysis.findings.map((f) => f.rule)).toEqual(['pg-create-index-without-concurrently']);
    expect(analysis.ignored).toEqual([]);
  });

  it.each([
    ['no reason', '-- lowtide-ignore: pg-create-index-without-concurrently\n', 'needs a reason'],
    ['an empty reason', '-- lowtide-ignore: pg-create-index-without-concurrently --   \n', 'needs a reason'],
    [
      'an unknown rule',
      '-- lowtide-ignore: pg-create-index -- reviewed\n',
      'unknown rule for postgres: "pg-create-index"',
    ],
    ["the other engine's rule", '-- lowtide-ignore: mysql-alter-copy -- reviewed\n', 'unknown rule'],
    ['no rule', '-- lowtide-ignore: -- reviewed\n', 'names no rule'],
    ['no colon', '-- lowtide-ignore pg-create-index-without-concurrently -- reviewed\n', 'needs a colon'],
  ])(
    'reports a comment with %s as a blocking finding that says what to write, and ignores nothing',
    async (_, comment, says) => {
      const analysis = await analyzeScript(`${TIMEOUT}${comment}CREATE INDEX i1 ON a (x);\n`, {
        engine: 'postgres',
      });
      expect(analysis.ignored).toEqual([]);
      const [bad, index] = analysis.findings;
      expect(bad).toMatchObject({ rule: IGNORE_INVALID_RULE, severity: 'block', line: 2, statementIndex: 2 });
      expect(bad!.why).toContain(says);
      expect(bad!.why).toContain('-- lowtide-ignore');
      expect(index).toMatchObject({ rule: 'pg-create-index-without-concurrently', severity: 'block' });
    },
  );

  it('refuses a comment after a statement on the same line, and one that no statement follows', async () => {
    const sql = `${TIMEOUT}CREATE INDEX i1 ON a (x); -- lowtide-ignore: pg-create-index-without-concurrently -- reviewed\nCREATE INDEX CONCURRENTLY i2 ON a (y);\n-- lowtide-ignore: pg-truncate -- reviewed\n`;
    const analysis = await analyzeScript(sql, { engine: 'postgres' });
    const bad = analysis.findings.filter((f) => f.rule === IGNORE_INVALID_RULE);
    expect(bad.map((f) => f.line)).toEqual([2, 4]);
    expect(bad[0]!.why).toContain('on its own line');
    expect(bad[1]!.why).toContain('no statement follows it');
    expect(analysis.findings.map((f) => f.rule)).toContain('pg-create-index-without-concurrently');
  });

  it('reads MySQL comments, # included, and block comments', async () => {
    const sql =
      'SET SESSION lock_wait_timeout = 5;\n# lowtide-ignore: mysql-rename -- no code reads the old name since release 12\nRENAME TABLE a TO b;\n/* lowtide-ignore: mysql-drop-column -- the column was never written */\nALTER TABLE b DROP COLUMN legacy;\n';
    const analysis = await analyzeScript(sql, { engine: 'mysql', server: 'mariadb' });
    expect(analysis.findings).toEqual([]);
    expect(analysis.ignored?.map((f) => [f.rule, f.ignored.reason])).toEqual([
      ['mysql-rename', 'no code reads the old name since release 12'],
      ['mysql-drop-column', 'the column was never written'],
    ]);
  });
});

describe("rule settings (a lint config's rules)", () => {
  const sql = `${TIMEOUT}CREATE INDEX i1 ON a (x);\nTRUNCATE a;\n`;

  it("turns a rule off and changes another one's severity", async () => {
    const analysis = await analyzeScript(sql, {
      engine: 'postgres',
      rules: { 'pg-truncate': 'off', 'pg-create-index-without-concurrently': 'warn' },
    });
    expect(analysis.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['pg-create-index-without-concurrently', 'warn'],
    ]);
  });

  it('refuses an unknown rule id', async () => {
    await expect(analyzeScript(sql, { engine: 'postgres', rules: { 'pg-nope': 'off' } })).rejects.toThrow(
      /pg-nope/,
    );
  });
});

describe('every documented rule can be named in an ignore comment', () => {
  it.each(DDL_RULES.map((r) => [r.id] as const))('%s', async (id) => {
    const engine = id.startsWith('pg-') ? 'postgres' : 'mysql';
    const analysis = await analyzeScript(`-- lowtide-ignore: ${id} -- reviewed\nSELECT 1;\n`, { engine });
    expect(analysis.findings.filter((f) => f.rule === IGNORE_INVALID_RULE)).toEqual([]);
  });
});
