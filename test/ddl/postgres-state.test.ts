import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnalyzeOptions,
  analyzeSql,
  type Finding,
  guardContextFromDatabase,
  type LockClass,
} from '../../src/ddl';
import { useEngineDatabase } from '../support/engine-database';

const LOCK_MODES: Record<string, LockClass> = {
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  RowShareLock: 'ROW SHARE',
  AccessShareLock: 'ACCESS SHARE',
};
const STRENGTH = Object.values(LOCK_MODES);

const pg = (sql: string | readonly string[], options: Partial<AnalyzeOptions> = {}): Promise<Finding[]> =>
  analyzeSql(sql, { engine: 'postgres', assumeLockTimeout: true, ...options });
const rules = (findings: readonly Finding[]) => findings.map((f) => f.rule);
const blocking = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'block');

describe('the PostgreSQL guard: what each statement locks, and what is already true at that point', () => {
  const t = useEngineDatabase('postgres');

  beforeAll(async () => {
    await t.raw.query('CREATE DOMAIN small_count AS int');
    await t.raw.query("CREATE TYPE mood AS ENUM ('ok', 'sad')");
    await t.raw.query(`CREATE TABLE accounts (
      id bigint PRIMARY KEY, tier text, score small_count, feeling mood, email text)`);
    await t.raw.query(
      "INSERT INTO accounts SELECT n, 'basic', n, 'ok', 'u' || n FROM generate_series(1, 50) n",
    );
    await t.raw.query('CREATE INDEX accounts_email_idx ON accounts (email)');
    await t.raw.query('CREATE TABLE measures (at date NOT NULL, v int) PARTITION BY RANGE (at)');
    await t.raw.query(
      "CREATE TABLE measures_2025 PARTITION OF measures FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    );
  });

  /** The strongest lock the server holds on `relation` after running `statements` in one transaction, rolled back. */
  async function serverLock(statements: readonly string[], relation: string): Promise<LockClass> {
    await t.raw.query('BEGIN');
    try {
      await t.raw.query("SET LOCAL lock_timeout = '5s'");
      const [{ oid }] = await t.raw.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [relation]);
      for (const sql of statements) await t.raw.query(sql);
      const rows = await t.raw.query<{ mode: string }>(
        `SELECT mode FROM pg_locks WHERE locktype = 'relation' AND pid = pg_backend_pid() AND relation = $1`,
        [oid],
      );
      const held = rows
        .map((r) => LOCK_MODES[r.mode]!)
        .sort((a, b) => STRENGTH.indexOf(a) - STRENGTH.indexOf(b));
      return held[0] ?? 'NONE';
    } finally {
      await t.raw.query('ROLLBACK');
    }
  }

  it('reads REINDEX (CONCURRENTLY false) as a plain REINDEX, and VACUUM (FULL FALSE) as a plain VACUUM', async () => {
    const reindex = 'REINDEX (CONCURRENTLY false) INDEX accounts_email_idx';
    expect(rules(await pg(reindex))).toEqual(['pg-reindex-without-concurrently']);
    // The server runs it inside a transaction block (a concurrent REINDEX could not) and blocks writes.
    expect(await serverLock([reindex], 'accounts')).toBe('SHARE');
    expect(rules(await pg('REINDEX (CONCURRENTLY off, VERBOSE) TABLE accounts'))).toEqual([
      'pg-reindex-without-concurrently',
    ]);
    expect(await pg('REINDEX (CONCURRENTLY) INDEX accounts_email_idx')).toEqual([]);

    expect(await pg('VACUUM (FULL FALSE) accounts')).toEqual([]);
    await t.raw.query('VACUUM (FULL FALSE) accounts');
    expect(rules(await pg('VACUUM (FULL TRUE) accounts'))).toEqual(['pg-vacuum-full']);
    expect(rules(await pg('VACUUM (FULL) accounts'))).toEqual(['pg-vacuum-full']);
  });

  it('blocks REINDEX SYSTEM without offering CONCURRENTLY, which the server refuses there', async () => {
    const [finding] = await pg('REINDEX SYSTEM lowtide');
    expect(finding).toMatchObject({ rule: 'pg-reindex-without-concurrently', severity: 'block' });
    expect(finding!.safeAlternative).toMatch(/cannot be reindexed concurrently/);
    expect(finding!.safeAlternative).not.toMatch(/^REINDEX \.\.\. CONCURRENTLY/);
    const [{ db }] = await t.raw.query<{ db: string }>('SELECT current_database() AS db');
    await expect(t.raw.query(`REINDEX SYSTEM CONCURRENTLY ${db}`)).rejects.toThrow(/concurrently/i);
  });

  it('flags ALTER DOMAIN ... ADD CONSTRAINT, which takes SHARE on every table using the domain; NOT VALID passes', async () => {
    const add = 'ALTER DOMAIN small_count ADD CONSTRAINT small_count_max CHECK (VALUE < 1000000)';
    const [finding] = await pg(add);
    expect(finding).toMatchObject({
      rule: 'pg-alter-domain-add-constraint',
      lock: 'SHARE',
      severity: 'block',
    });
    expect(await serverLock([add], 'accounts')).toBe('SHARE');
    expect(rules(await pg('ALTER DOMAIN small_count SET NOT NULL'))).toEqual([
      'pg-alter-domain-add-constraint',
    ]);

    const notValid =
      'ALTER DOMAIN small_count ADD CONSTRAINT small_count_max CHECK (VALUE < 1000000) NOT VALID';
    expect(await pg(notValid)).toEqual([]);
    expect(await serverLock([notValid], 'accounts')).toBe('NONE');
    // Without a lock timeout, the domain's SHARE lock queues like any other.
    expect(rules(await pg(add, { assumeLockTimeout: false }))).toContain('pg-missing-lock-timeout');
  });

  it('flags DETACH PARTITION without CONCURRENTLY, and CONCURRENTLY inside a transaction block', async () => {
    const detach = 'ALTER TABLE measures DETACH PARTITION measures_2025';
    const [finding] = await pg(detach);
    expect(finding).toMatchObject({
      rule: 'pg-detach-partition-without-concurrently',
      lock: 'ACCESS EXCLUSIVE',
      table: 'measures',
    });
    expect(await serverLock([detach], 'measures')).toBe('ACCESS EXCLUSIVE');
    expect(await pg('ALTER TABLE measures DETACH PARTITION measures_2025 CONCURRENTLY')).toEqual([]);

    const inBlock = await pg(
      'BEGIN; ALTER TABLE measures DETACH PARTITION measures_2025 CONCURRENTLY; COMMIT',
    );
    expect(rules(inBlock)).toEqual(['pg-concurrently-in-transaction']);
    await expect(
      serverLock(['ALTER TABLE measures DETACH PARTITION measures_2025 CONCURRENTLY'], 'measures'),
    ).rejects.toThrow(/transaction block/);
    const old = await pg(detach, { versions: { postgres: { major: 13, minor: 0, patch: 0 } } });
    expect(old[0]!.safeAlternative).toMatch(/before 14 has no DETACH PARTITION CONCURRENTLY/);
  });

  it('flags DROP DATABASE and ALTER TYPE ... RENAME VALUE', async () => {
    expect(await pg('DROP DATABASE IF EXISTS archive')).toEqual([
      expect.objectContaining({ rule: 'pg-drop-table', breaking: true, severity: 'block' }),
    ]);
    const [renamed] = await pg("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'");
    expect(renamed).toMatchObject({ rule: 'pg-rename', breaking: true, severity: 'block' });
    expect(renamed!.why).toContain("'sad'");
    // Adding a value breaks nobody.
    expect(await pg("ALTER TYPE mood ADD VALUE 'glad'")).toEqual([]);
  });

  it('flags a VALIDATE in the same transaction as its NOT VALID add, which then scans under ACCESS EXCLUSIVE', async () => {
    const add = 'ALTER TABLE accounts ADD CONSTRAINT score_positive CHECK (score > 0) NOT VALID';
    const validate = 'ALTER TABLE accounts VALIDATE CONSTRAINT score_positive';
    const together = await pg(`BEGIN; ${add}; ${validate}; COMMIT`);
    expect(together.map((f) => [f.statementIndex, f.rule])).toEqual([[2, 'pg-validate-in-same-transaction']]);
    expect(await serverLock([add, validate], 'accounts')).toBe('ACCESS EXCLUSIVE');
    // Each in its own transaction: the VALIDATE holds only SHARE UPDATE EXCLUSIVE.
    expect(await pg(`${add}; ${validate}`)).toEqual([]);
    expect(await pg(`BEGIN; ${add}; COMMIT; BEGIN; ${validate}; COMMIT`)).toEqual([]);
    // A file that migration tools wrap in one transaction puts them together again.
    expect(rules(await pg(`${add}; ${validate}`, { assumeInTransaction: true }))).toEqual([
      'pg-validate-in-same-transaction',
    ]);
  });

  it('asks for statement_timeout before a statement that holds a blocking lock while it scans or rewrites', async () => {
    const alter = "SET lock_timeout = '2s'; ALTER TABLE accounts ALTER COLUMN score TYPE bigint";
    const findings = await pg(alter, { assumeLockTimeout: false });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['pg-alter-column-type', 'block'],
      ['pg-missing-statement-timeout', 'warn'],
    ]);
    expect(
      await pg(`SET statement_timeout = '5min'; ${alter}`, { assumeLockTimeout: false }).then(rules),
    ).toEqual(['pg-alter-column-type']);
    // An instant change, a small table or a runner that sets its own timeouts: nothing to ask.
    expect(
      await pg("SET lock_timeout = '2s'; ALTER TABLE accounts ADD COLUMN note text", {
        assumeLockTimeout: false,
      }),
    ).toEqual([]);
    const small = await pg(alter, { assumeLockTimeout: false, tableSizes: async () => 50 });
    expect(small.map((f) => [f.rule, f.severity])).toEqual([['pg-alter-column-type', 'note']]);
    expect(rules(await pg(alter))).toEqual(['pg-alter-column-type']);
  });

  it('counts SET LOCAL lock_timeout outside BEGIN when the file is assumed to run in a transaction, unless it opts out', async () => {
    const script = "SET LOCAL lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN note text;";
    const loose = { assumeLockTimeout: false };
    expect(rules(await pg(script, loose))).toEqual(['pg-missing-lock-timeout']);
    expect(await pg(script, { ...loose, assumeInTransaction: true })).toEqual([]);
    expect(
      rules(await pg(`-- lowtide: no-transaction\n${script}`, { ...loose, assumeInTransaction: true })),
    ).toEqual(['pg-missing-lock-timeout']);
    // The server agrees: in a transaction block SET LOCAL is in force for the next statement.
    await t.raw.query('BEGIN');
    try {
      await t.raw.query("SET LOCAL lock_timeout = '2s'");
      const [{ lock_timeout }] = await t.raw.query<{ lock_timeout: string }>('SHOW lock_timeout');
      expect(lock_timeout).toBe('2s');
    } finally {
      await t.raw.query('ROLLBACK');
    }
  });

  it('flags CREATE INDEX CONCURRENTLY in a file assumed to run in a transaction; the opt-out comment lifts it', async () => {
    const build = 'CREATE INDEX CONCURRENTLY accounts_tier_idx ON accounts (tier)';
    expect(await pg(build)).toEqual([]);
    expect(rules(await pg(build, { assumeInTransaction: true }))).toEqual(['pg-concurrently-in-transaction']);
    expect(await pg(`-- lowtide: no-transaction\n${build}`, { assumeInTransaction: true })).toEqual([]);
    // Each source is its own wrapped transaction.
    expect(
      (await pg(['-- lowtide: no-transaction\nSELECT 1', build], { assumeInTransaction: true })).map((f) => [
        f.statementIndex,
        f.rule,
      ]),
    ).toEqual([[1, 'pg-concurrently-in-transaction']]);
  });

  it('passes the second migration of the NOT NULL hoist when the check was added NOT VALID earlier in the file (PostgreSQL 12+)', async () => {
    const file = [
      'ALTER TABLE accounts ADD CONSTRAINT tier_not_null CHECK (tier IS NOT NULL) NOT VALID',
      'ALTER TABLE accounts VALIDATE CONSTRAINT tier_not_null',
      'ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL',
      'ALTER TABLE accounts DROP CONSTRAINT tier_not_null',
    ].join(';\n');
    expect(await pg(file)).toEqual([]);
    const pg11 = await pg(file, { versions: { postgres: { major: 11, minor: 0, patch: 0 } } });
    expect(rules(pg11)).toEqual(['pg-set-not-null']);
    expect(pg11[0]!.why).toMatch(/before PostgreSQL 12/);
  });

  it('passes the hoist against the catalog: a NOT VALID check there, validated by the file, lets SET NOT NULL skip its scan', async () => {
    await t.raw.query('CREATE TABLE hoisted (id bigint PRIMARY KEY, code text)');
    await t.raw.query("INSERT INTO hoisted SELECT n, 'c' || n FROM generate_series(1, 20) n");
    await t.raw.query('ALTER TABLE hoisted ADD CONSTRAINT code_not_null CHECK (code IS NOT NULL) NOT VALID');
    const second = [
      'ALTER TABLE hoisted VALIDATE CONSTRAINT code_not_null',
      'ALTER TABLE hoisted ALTER COLUMN code SET NOT NULL',
      'ALTER TABLE hoisted DROP CONSTRAINT code_not_null',
    ];
    const context = await guardContextFromDatabase(t.db);
    const [{ server_version_num }] = await t.raw.query<{ server_version_num: string }>(
      'SHOW server_version_num',
    );
    expect(context.versions?.postgres?.major).toBe(Math.floor(Number(server_version_num) / 10_000));

    // Without the catalog the guard cannot know code_not_null is the column's check: it fails closed.
    expect(rules(await pg(second.join(';\n')))).toEqual(['pg-set-not-null']);
    expect(blocking(await pg(second.join(';\n'), context))).toEqual([]);
    // The same check read on an older release does not help.
    const old = { ...context, versions: { postgres: { major: 11, minor: 0, patch: 0 } } };
    expect(rules(await pg(second.join(';\n'), old))).toEqual(['pg-set-not-null']);
    // A check that is not about the column proves nothing.
    await t.raw.query('ALTER TABLE hoisted ADD CONSTRAINT id_positive CHECK (id > 0) NOT VALID');
    const other =
      'ALTER TABLE hoisted VALIDATE CONSTRAINT id_positive; ALTER TABLE hoisted ALTER COLUMN code SET NOT NULL';
    expect(rules(await pg(other, context))).toEqual(['pg-set-not-null']);

    // And the server runs the file as the guard read it.
    for (const sql of second) await t.raw.query(sql);
    const [{ attnotnull }] = await t.raw.query<{ attnotnull: boolean }>(
      "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'hoisted'::regclass AND attname = 'code'",
    );
    expect(attnotnull).toBe(true);
  });

  it('flags ADD COLUMN with a constant default before PostgreSQL 11, when it rewrites the table', async () => {
    const add = 'ALTER TABLE accounts ADD COLUMN flag boolean NOT NULL DEFAULT false';
    expect(await pg(add)).toEqual([]);
    const pg10 = await pg(add, { versions: { postgres: { major: 10, minor: 0, patch: 0 } } });
    expect(pg10.map((f) => [f.rule, f.rewritesTable])).toEqual([['pg-add-column-volatile-default', true]]);
    expect(pg10[0]!.why).toMatch(/before PostgreSQL 11/);
    const nullDefault = 'ALTER TABLE accounts ADD COLUMN memo text DEFAULT NULL';
    expect(await pg(nullDefault, { versions: { postgres: { major: 10, minor: 0, patch: 0 } } })).toEqual([]);
  });
});
