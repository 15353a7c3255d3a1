import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLintCommand } from '../../src/cli/lint/lint-command';
import { DDL_RULES, LINT_EXIT, lintSql } from '../../src/ddl';

const CLEAN =
  "SET lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note);\n";
const BLOCKING =
  "SET lock_timeout = '2s'; SET statement_timeout = '1min';\n-- the dangerous one\nALTER TABLE accounts ALTER COLUMN tier SET NOT NULL;\n";
const WARNING = "SET lock_timeout = '2s';\nUPDATE accounts SET tier = 'gold' WHERE id < 1000;\n";

describe('lowtide lint', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lowtide-lint-'));
    await writeFile(file('clean.sql'), CLEAN);
    await writeFile(file('blocking.sql'), BLOCKING);
    await writeFile(file('warning.sql'), WARNING);
    await writeFile(
      file('mysql.sql'),
      'SET lock_wait_timeout = 5;\nALTER TABLE orders MODIFY total BIGINT;\n',
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 on a clean file, with an empty JSON report', async () => {
    const result = await runLintCommand({ files: [file('clean.sql')], engine: 'postgres', format: 'json' });
    expect(result.exitCode).toBe(LINT_EXIT.clean);
    const json = JSON.parse(result.output);
    expect(json).toMatchObject({ version: 1, exitCode: 0 });
    expect(json.files[0]).toMatchObject({
      source: file('clean.sql'),
      engine: 'postgres',
      statements: 3,
      findings: [],
    });
    expect(json.files[0].counts).toEqual({ block: 0, warn: 0, note: 0 });
  });

  it('exits 1 on a blocking finding, and the JSON names statement, lock, why, alternative and fingerprint', async () => {
    const result = await runLintCommand({
      files: [file('blocking.sql')],
      engine: 'postgres',
      format: 'json',
    });
    expect(result.exitCode).toBe(LINT_EXIT.findings);
    const [report] = JSON.parse(result.output).files;
    expect(report.counts).toEqual({ block: 1, warn: 0, note: 0 });
    expect(report.findings).toEqual([
      expect.objectContaining({
        statementIndex: 2,
        line: 3,
        statement: 'ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL',
        rule: 'pg-set-not-null',
        table: 'accounts',
        lock: 'ACCESS EXCLUSIVE',
        scansTable: true,
        rewritesTable: false,
        breaking: false,
        severity: 'block',
        fingerprint: expect.stringMatching(/^ddl1-[0-9a-f]{16}$/),
        why: expect.stringContaining('scans every row'),
        safeAlternative: expect.stringContaining('NOT VALID'),
      }),
    ]);
  });

  it('prints findings for humans with file:line, rule, lock and the fingerprint to consent to', async () => {
    const result = await runLintCommand({ files: [file('blocking.sql')], engine: 'pg' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `${file('blocking.sql')}:3  BLOCK  pg-set-not-null  (lock ACCESS EXCLUSIVE, scans the table)`,
    );
    expect(result.output).toContain('ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL');
    expect(result.output).toMatch(/why: .*ACCESS EXCLUSIVE/);
    expect(result.output).toMatch(/instead: .*VALIDATE CONSTRAINT/);
    expect(result.output).toMatch(/consent fingerprint: ddl1-[0-9a-f]{16}/);
    expect(result.output).toContain(`${file('blocking.sql')}: 3 statements, 1 blocking, 0 warnings, 0 notes`);
  });

  it('passes warnings by default and fails on them with --fail-on warn', async () => {
    const lenient = await runLintCommand({
      files: [file('warning.sql')],
      engine: 'postgres',
      format: 'json',
    });
    expect(lenient.exitCode).toBe(0);
    expect(JSON.parse(lenient.output).files[0].counts).toEqual({ block: 0, warn: 1, note: 0 });
    const strict = await runLintCommand({ files: [file('warning.sql')], engine: 'postgres', failOn: 'warn' });
    expect(strict.exitCode).toBe(1);
  });

  it('passes notes: a lock on a small table does not fail CI', async () => {
    const result = await runLintCommand({
      files: [file('blocking.sql')],
      engine: 'postgres',
      format: 'json',
      tableSizes: async (table) => (table === 'accounts' ? 120 : undefined),
    });
    expect(result.exitCode).toBe(0);
    const [report] = JSON.parse(result.output).files;
    expect(report.counts).toEqual({ block: 0, warn: 0, note: 1 });
    expect(report.findings[0]).toMatchObject({ severity: 'note', tableRows: 120 });
  });

  it('takes the worst exit code over several files, and reads - from standard input', async () => {
    const result = await runLintCommand({
      files: [file('clean.sql'), '-', file('mysql.sql')],
      engine: 'mariadb',
      stdin: 'ALTER TABLE t ADD COLUMN c INT',
      format: 'json',
    });
    const json = JSON.parse(result.output);
    expect(json.files.map((f: { source: string }) => f.source)).toEqual([
      file('clean.sql'),
      '-',
      file('mysql.sql'),
    ]);
    expect(json.files[2]).toMatchObject({ engine: 'mysql', server: 'mariadb' });
    expect(json.files[2].findings.map((f: { rule: string }) => f.rule)).toEqual(['mysql-alter-copy']);
    expect(result.exitCode).toBe(1);
    expect(json.exitCode).toBe(1);
  });

  it('exits 2 on bad input, without analysing anything', async () => {
    const cases = [
      {
        files: [file('missing.sql')],
        engine: 'postgres',
        expected: /cannot read .*missing\.sql: no such file/,
      },
      {
        files: [file('clean.sql')],
        engine: 'oracle',
        expected: /unknown engine "oracle": use postgres, mysql or mariadb/,
      },
      {
        files: [file('clean.sql')],
        engine: 'postgres',
        format: 'xml',
        expected: /unknown format "xml": use text or json/,
      },
      {
        files: [file('clean.sql')],
        engine: 'postgres',
        failOn: 'note',
        expected: /unknown fail-on level "note"/,
      },
      { files: [], engine: 'postgres', expected: /no input/ },
      { files: ['-'], engine: 'postgres', expected: /standard input/ },
    ];
    for (const { expected, ...options } of cases) {
      const result = await runLintCommand(options);
      expect(result.exitCode).toBe(LINT_EXIT.badInput);
      expect(result.output).toMatch(expected);
    }
    const json = await runLintCommand({ files: [file('missing.sql')], engine: 'postgres', format: 'json' });
    expect(JSON.parse(json.output)).toMatchObject({
      version: 1,
      exitCode: 2,
      error: expect.stringContaining('no such file'),
    });
  });

  it('fails closed on SQL it cannot parse: a finding, exit 1, not bad input', async () => {
    const report = await lintSql('ALTER TABLE accounts ADD COLUMN;', {
      engine: 'postgres',
      source: 'broken.sql',
    });
    expect(report.exitCode).toBe(1);
    expect(report.findings.map((f) => [f.rule, f.severity, f.lock])).toEqual([
      ['pg-unparsed', 'block', 'UNKNOWN'],
    ]);
  });

  it('documents every rule in docs/ddl-guard.md', async () => {
    const doc = await readFile(join(import.meta.dirname, '../../docs/ddl-guard.md'), 'utf8');
    const missing = DDL_RULES.map((r) => r.id).filter((id) => !doc.includes(`\`${id}\``));
    expect(missing).toEqual([]);
    expect(new Set(DDL_RULES.map((r) => r.id)).size).toBe(DDL_RULES.length);
  });
});
