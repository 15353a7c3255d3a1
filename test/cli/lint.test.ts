import { describe, expect, it } from 'vitest';
import { parseJson, runCli } from './support/cli-process';

describe('lowtide lint (the DDL guard on migration files)', () => {
  it('exits 1 and names the rule for a statement that would block writes', async () => {
    const result = await runCli(['lint', 'test/cli/fixtures/risky-migration.sql', '--engine', 'postgres']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('BLOCK  pg-create-index-without-concurrently');
  });

  it('exits 0 for a migration that takes its locks safely, and reports JSON under --json', async () => {
    const result = await runCli([
      '--json',
      'lint',
      'test/cli/fixtures/safe-migration.sql',
      '--engine',
      'postgres',
    ]);
    expect(result.code, result.stdout).toBe(0);
    expect(parseJson<{ exitCode: number }>(result).exitCode).toBe(0);
  });

  it('is bad input, on one line, without a dialect or with a missing file', async () => {
    const noEngine = await runCli(['lint', 'test/cli/fixtures/safe-migration.sql']);
    expect(noEngine.code).toBe(2);
    expect(noEngine.stderr.trim()).toBe(
      'lowtide: name the SQL dialect: pass --engine postgres, mysql or mariadb (or --database-url)',
    );
    const missing = await runCli(['lint', 'test/cli/fixtures/no-such.sql', '--engine', 'mysql']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('lowtide: cannot read test/cli/fixtures/no-such.sql: no such file');
  });
  it('prints GitHub annotations and SARIF under --format, keeping the exit code', async () => {
    const github = await runCli([
      'lint',
      'test/cli/fixtures/risky-migration.sql',
      '--engine',
      'postgres',
      '--format',
      'github',
    ]);
    expect(github.code, github.stderr).toBe(1);
    expect(github.stdout).toMatch(
      /^::error file=test\/cli\/fixtures\/risky-migration\.sql,line=2,col=1,title=lowtide pg-create-index-without-concurrently::/m,
    );
    const sarif = await runCli([
      'lint',
      'test/cli/fixtures/safe-migration.sql',
      '--engine',
      'postgres',
      '--format',
      'sarif',
    ]);
    expect(sarif.code, sarif.stderr).toBe(0);
    expect(JSON.parse(sarif.stdout)).toMatchObject({ version: '2.1.0', runs: [{ results: [] }] });
    const both = await runCli([
      '--json',
      'lint',
      'test/cli/fixtures/safe-migration.sql',
      '--engine',
      'postgres',
      '--format',
      'github',
    ]);
    expect(both.code).toBe(2);
  });
});
