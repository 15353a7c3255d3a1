import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLintCommand } from '../../src/cli/lint/lint-command';
import { globMatcher, parseLintConfig } from '../../src/cli/lint/lint-config';
import { DDL_RULES, LINT_EXIT } from '../../src/ddl';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; startColumn: number };
    };
  }[];
  suppressions?: unknown;
}

interface GitlabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

const MIGRATION = [
  // statement_timeout on the same line, so the other statements keep their lines.
  "SET lock_timeout = '2s'; SET statement_timeout = '30s';",
  '-- lowtide-ignore: pg-truncate -- the staging table is refilled by the next step',
  'TRUNCATE staging;',
  'CREATE INDEX accounts_tier_idx ON accounts (tier);',
  "UPDATE accounts SET tier = 'gold' WHERE id < 10;",
  '',
].join('\n');

describe('lowtide lint for CI: config file, reporters', () => {
  let repo: string;
  const path = (...parts: string[]) => join(repo, ...parts);

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'lowtide-lint-ci-'));
    await mkdir(path('.git'));
    await mkdir(path('db', 'migrations', 'legacy'), { recursive: true });
    await writeFile(path('db', 'migrations', '001.sql'), MIGRATION);
    await writeFile(path('db', 'migrations', 'legacy', '000.sql'), 'TRUNCATE everything;\n');
  });

  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  describe('reporters', () => {
    const lint = (format: string) =>
      runLintCommand({ files: [path('db', 'migrations', '001.sql')], engine: 'postgres', format });

    it('github: one workflow annotation per finding, with file, line, column and title', async () => {
      const result = await lint('github');
      expect(result.exitCode).toBe(LINT_EXIT.findings);
      const annotations = result.output.split('\n').filter((l) => l.startsWith('::'));
      const parsed = annotations.map((l) => /^::(\w+) ([^:]*)::(.*)$/.exec(l)!);
      expect(parsed.map((m) => m[1])).toEqual(['error', 'warning']);
      const properties = Object.fromEntries(parsed[0]![2]!.split(',').map((p) => p.split('=')));
      expect(properties).toEqual({
        file: path('db', 'migrations', '001.sql').replace(/:/g, '%3A'),
        line: '4',
        col: '1',
        title: 'lowtide pg-create-index-without-concurrently',
      });
      expect(parsed[0]![3]).toContain('%0AInstead: CREATE INDEX CONCURRENTLY');
      expect(parsed[0]![3]).not.toContain('\n');
      expect(result.output).toContain('1 ignored by comment');
    });

    it('sarif: a 2.1.0 log with one run, the rules and located results, the ignored one suppressed', async () => {
      const result = await lint('sarif');
      expect(result.exitCode).toBe(LINT_EXIT.findings);
      const log = JSON.parse(result.output);
      expect(log.version).toBe('2.1.0');
      expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
      expect(log.runs).toHaveLength(1);
      const [run] = log.runs;
      expect(run.tool.driver.name).toBe('lowtide');
      const rules = run.tool.driver.rules as {
        id: string;
        help: { text: string };
        shortDescription: { text: string };
      }[];
      expect(rules.map((r) => r.id)).toEqual(
        DDL_RULES.filter((r) => r.engine === 'postgres').map((r) => r.id),
      );
      for (const rule of rules) {
        expect(rule.help.text.length).toBeGreaterThan(10);
        expect(rule.shortDescription.text.length).toBeGreaterThan(3);
      }
      const results = run.results as SarifResult[];
      expect(
        results.map((r) => [r.ruleId, r.level, r.locations[0].physicalLocation.region.startLine]),
      ).toEqual([
        ['pg-create-index-without-concurrently', 'error', 4],
        ['pg-unbatched-dml', 'warning', 5],
        ['pg-truncate', 'error', 3],
      ]);
      for (const r of results) {
        expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
        expect(r.message.text.length).toBeGreaterThan(10);
        expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe(
          path('db', 'migrations', '001.sql'),
        );
        expect(r.locations[0].physicalLocation.region.startColumn).toBe(1);
      }
      expect(results[2]!.suppressions).toEqual([
        { kind: 'inSource', justification: 'the staging table is refilled by the next step' },
      ]);
      expect(results[0]!.suppressions).toBeUndefined();
    });

    it('gitlab: a code quality array with description, check_name, fingerprint, severity and location', async () => {
      const result = await lint('gitlab');
      expect(result.exitCode).toBe(LINT_EXIT.findings);
      const issues = JSON.parse(result.output) as GitlabIssue[];
      expect(issues.map((i) => [i.check_name, i.severity, i.location.path, i.location.lines.begin])).toEqual([
        ['pg-create-index-without-concurrently', 'critical', path('db', 'migrations', '001.sql'), 4],
        ['pg-unbatched-dml', 'minor', path('db', 'migrations', '001.sql'), 5],
      ]);
      for (const issue of issues) {
        expect(issue.description).toContain(issue.check_name);
        expect(issue.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      }
      expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
      // The fingerprint survives the statement moving down the file.
      await writeFile(path('moved.sql'), `-- a new header line\n${MIGRATION}`);
      const moved = JSON.parse(
        (await runLintCommand({ files: [path('moved.sql')], engine: 'postgres', format: 'gitlab' })).output,
      ) as GitlabIssue[];
      expect(moved[0]!.location.lines.begin).toBe(5);
      const again = JSON.parse(
        (await runLintCommand({ files: [path('moved.sql')], engine: 'postgres', format: 'gitlab' })).output,
      );
      expect(again[0].fingerprint).toBe(moved[0]!.fingerprint);
    });

    it('json: ignored findings are listed with their reason, not counted', async () => {
      const report = JSON.parse((await lint('json')).output).files[0];
      expect(report.counts).toEqual({ block: 1, warn: 1, note: 0 });
      expect(report.ignored).toEqual([
        expect.objectContaining({
          rule: 'pg-truncate',
          line: 3,
          ignored: { scope: 'statement', reason: 'the staging table is refilled by the next step', line: 2 },
        }),
      ]);
    });

    it('an unknown format is bad input that names the formats', async () => {
      const result = await lint('junit');
      expect(result.exitCode).toBe(LINT_EXIT.badInput);
      expect(result.output).toContain('text or json or github or sarif or gitlab');
    });
  });

  describe('.lowtide-lint.json', () => {
    it('is found from the linted file up to the repository root: rules, severities and excludes apply', async () => {
      await writeFile(
        path('.lowtide-lint.json'),
        JSON.stringify({
          rules: { 'pg-create-index-without-concurrently': 'warning', 'pg-unbatched-dml': 'off' },
          exclude: ['db/migrations/legacy/**'],
          pgVersion: '12',
        }),
      );
      try {
        const result = await runLintCommand({
          files: [path('db', 'migrations', '001.sql'), path('db', 'migrations', 'legacy', '000.sql')],
          engine: 'postgres',
          format: 'json',
        });
        expect(result.exitCode).toBe(LINT_EXIT.clean);
        const json = JSON.parse(result.output);
        expect(json.files).toHaveLength(1);
        expect(
          json.files[0].findings.map((f: { rule: string; severity: string }) => [f.rule, f.severity]),
        ).toEqual([['pg-create-index-without-concurrently', 'warn']]);
        expect(json.excluded).toEqual([
          { source: path('db', 'migrations', 'legacy', '000.sql'), config: path('.lowtide-lint.json') },
        ]);
      } finally {
        await rm(path('.lowtide-lint.json'));
      }
    });

    it('is not looked for above the repository root', async () => {
      const outer = await mkdtemp(join(tmpdir(), 'lowtide-lint-outer-'));
      try {
        await writeFile(
          join(outer, '.lowtide-lint.json'),
          JSON.stringify({ rules: { 'pg-truncate': 'off' } }),
        );
        await mkdir(join(outer, 'repo', '.git'), { recursive: true });
        await writeFile(join(outer, 'repo', 'x.sql'), 'TRUNCATE t;\n');
        const result = await runLintCommand({
          files: [join(outer, 'repo', 'x.sql')],
          engine: 'postgres',
          format: 'json',
        });
        expect(JSON.parse(result.output).files[0].findings.map((f: { rule: string }) => f.rule)).toContain(
          'pg-truncate',
        );
      } finally {
        await rm(outer, { recursive: true, force: true });
      }
    });

    it('--config names the file to use', async () => {
      await writeFile(path('strict.json'), JSON.stringify({ rules: { 'pg-truncate': 'off' } }));
      await writeFile(path('t.sql'), "SET lock_timeout = '1s';\nTRUNCATE t;\n");
      const result = await runLintCommand({
        files: [path('t.sql')],
        engine: 'postgres',
        config: path('strict.json'),
      });
      expect(result.exitCode).toBe(LINT_EXIT.clean);
      const missing = await runLintCommand({
        files: [path('t.sql')],
        engine: 'postgres',
        config: path('nope.json'),
      });
      expect(missing.exitCode).toBe(LINT_EXIT.badInput);
      expect(missing.output).toContain('cannot read the lint config');
    });

    it.each([
      [{ rule: { 'pg-truncate': 'off' } }, 'unknown key "rule"'],
      [{ rules: { 'pg-truncate': 'never' } }, '"rules.pg-truncate": use "error", "warning" or "off"'],
      [{ rules: { 'pg-truncat': 'off' } }, '"rules.pg-truncat": unknown rule id'],
      [{ rules: { 'pg-unparsed': 'off' } }, 'never passed silently'],
      [{ pgVersion: 'twelve' }, '"pgVersion": a version like "12"'],
      [{ exclude: 'legacy/**' }, '"exclude"'],
    ])('refuses %j with an error naming the bad key', (config, says) => {
      expect(() => parseLintConfig(JSON.stringify(config), 'repo/.lowtide-lint.json')).toThrow(says);
    });

    it('reads the versions as releases', () => {
      const config = parseLintConfig(
        JSON.stringify({ pgVersion: '12', mysqlVersion: '8.0.29', mariadbVersion: '10.11' }),
        'x/.lowtide-lint.json',
      );
      expect(config.versions).toEqual({
        postgres: { major: 12, minor: 0, patch: 0 },
        mysql: { major: 8, minor: 0, patch: 29 },
        mariadb: { major: 10, minor: 11, patch: 0 },
      });
      expect(config.analysis).toEqual({});
    });

    it("applies the config's release to the rules, and a version flag wins over it", async () => {
      const dir = path('versions');
      await mkdir(dir, { recursive: true });
      // Below PostgreSQL 11 even a constant default rewrites the table; from 11 it is metadata only.
      await writeFile(
        join(dir, 'add.sql'),
        'SET lock_timeout = 1000;\nALTER TABLE accounts ADD COLUMN tier int DEFAULT 0;\n',
      );
      await writeFile(join(dir, '.lowtide-lint.json'), JSON.stringify({ pgVersion: '10' }));
      const rules = async (extra: { pgVersion?: string }) => {
        const result = await runLintCommand({
          files: [join(dir, 'add.sql')],
          engine: 'postgres',
          format: 'json',
          ...extra,
        });
        const json = JSON.parse(result.output);
        return json.files[0].findings.map((f: { rule: string }) => f.rule) as string[];
      };
      expect(await rules({})).toContain('pg-add-column-volatile-default');
      expect(await rules({ pgVersion: '14' })).not.toContain('pg-add-column-volatile-default');
    });

    it('matches excludes as globs', () => {
      expect(globMatcher('db/legacy/**')('db/legacy/a/b.sql')).toBe(true);
      expect(globMatcher('db/*.sql')('db/a/b.sql')).toBe(false);
      expect(globMatcher('**/seed-*.sql')('db/x/seed-1.sql')).toBe(true);
      expect(globMatcher('seed-?.sql')('db/x/seed-1.sql')).toBe(true);
      expect(globMatcher('seed.sql')('db/x/seeds.sql')).toBe(false);
    });
  });
});
