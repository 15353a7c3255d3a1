import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { runCli } from './support/cli-process';

const HOIST =
  'ALTER TABLE t ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c_not_null;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\nALTER TABLE t DROP CONSTRAINT c_not_null;\n';
const CONCURRENT = 'CREATE INDEX CONCURRENTLY t_c_idx ON t (c);\n';
const DEFAULTED = 'ALTER TABLE t ADD COLUMN flag boolean NOT NULL DEFAULT false;\n';
const RANDOM_DEFAULT =
  'SET lock_wait_timeout = 5;\nALTER TABLE t ADD COLUMN weight double DEFAULT (RAND());\n';

describe('lowtide lint: server releases and assumed transactions', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  let postgres: TestDatabase;
  let mariadb: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lowtide-lint-versions-'));
    await writeFile(file('hoist.sql'), HOIST);
    await writeFile(file('concurrent.sql'), CONCURRENT);
    await writeFile(file('opted-out.sql'), `-- lowtide: no-transaction\n${CONCURRENT}`);
    await writeFile(file('defaulted.sql'), DEFAULTED);
    await writeFile(file('random-default.sql'), RANDOM_DEFAULT);
    postgres = await createTestDatabase('postgres');
    mariadb = await createTestDatabase('mysql');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await postgres?.drop();
    await mariadb?.drop();
  });

  const lint = (...args: string[]) => runCli(['lint', '--assume-lock-timeout', ...args]);

  it('applies the PostgreSQL release given by --pg-version: the hoist passes from 12, a default rewrites before 11', async () => {
    expect((await lint(file('hoist.sql'), '--engine', 'postgres')).code).toBe(0);
    const pg11 = await lint(file('hoist.sql'), '--engine', 'postgres', '--pg-version', '11');
    expect(pg11.code).toBe(1);
    expect(pg11.stdout).toContain('pg-set-not-null');
    expect((await lint(file('defaulted.sql'), '--engine', 'postgres', '--pg-version', '10.23')).code).toBe(1);
  });

  it('is bad input when a version is not one', async () => {
    const bad = await lint(file('hoist.sql'), '--engine', 'postgres', '--pg-version', 'fifteen');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pg-version "fifteen" is not a version');
  });

  it('treats each file as one transaction under --assume-in-transaction, unless it says -- lowtide: no-transaction', async () => {
    expect((await lint(file('concurrent.sql'), '--engine', 'postgres')).code).toBe(0);
    const wrapped = await lint(file('concurrent.sql'), '--engine', 'postgres', '--assume-in-transaction');
    expect(wrapped.code).toBe(1);
    expect(wrapped.stdout).toContain('pg-concurrently-in-transaction');
    expect((await lint(file('opted-out.sql'), '--engine', 'postgres', '--assume-in-transaction')).code).toBe(
      0,
    );
  });

  it('reads the release from --database-url, and a flag overrides it', async () => {
    expect((await lint(file('defaulted.sql'), '--database-url', postgres.url)).code).toBe(0);
    expect(
      (await lint(file('defaulted.sql'), '--database-url', postgres.url, '--pg-version', '10')).code,
    ).toBe(1);
    // MariaDB adds a RAND() default instantly (a warning); MySQL rules take it for a table copy.
    const live = await lint(file('random-default.sql'), '--database-url', mariadb.url);
    expect(live.code, live.stdout).toBe(0);
    expect(live.stdout).toContain('mysql-add-column-default-evaluated-once');
    expect((await lint(file('random-default.sql'), '--engine', 'mysql')).code).toBe(1);
  });
});
