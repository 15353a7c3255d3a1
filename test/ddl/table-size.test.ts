import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { analyzeSql, type GuardContext, guardContextFromDatabase } from '../../src/ddl';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';

/** A statement whose harm grows with the table, per engine: an index build / a table copy. */
const SCAN = {
  postgres: (table: string) => `CREATE INDEX ${table}_note_idx ON ${table} (note)`,
  mysql: (table: string) => `ALTER TABLE ${table} ADD COLUMN doubled BIGINT AS (id * 2) STORED`,
};
const SCAN_RULE = { postgres: 'pg-create-index-without-concurrently', mysql: 'mysql-alter-copy' };

describe.each(ENGINES)('the small-table downgrade, reading real table sizes from %s', (engine) => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let db: Database;
  let context: GuardContext;

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    raw = await connectRaw(testDb);
    db = openDatabase(testDb.url);
    await createAccounts(raw, engine, 100, 'tiny');
    await createAccounts(raw, engine, 20_000, 'big');
    context = await guardContextFromDatabase(db);
  });

  afterAll(async () => {
    await db?.close();
    await raw?.close();
    await testDb?.drop();
  });

  const analyze = (sql: string, extra: { smallTableRows?: number } = {}) =>
    analyzeSql(sql, { engine, ...context, assumeLockTimeout: true, ...extra });

  it('reads the planner estimate of each table, and nothing for a table that is not there', async () => {
    expect(await context.tableSizes!('tiny')).toBeGreaterThan(50);
    expect(await context.tableSizes!('tiny')).toBeLessThan(200);
    expect(await context.tableSizes!('big')).toBeGreaterThan(15_000);
    expect(await context.tableSizes!('no_such_table')).toBeUndefined();
    expect(await context.tableSizes!('bad name; drop table big')).toBeUndefined();
  });

  it('turns a block into a note below 10,000 rows, and keeps it above', async () => {
    const [tiny] = await analyze(SCAN[engine]('tiny'));
    expect(tiny).toMatchObject({ rule: SCAN_RULE[engine], severity: 'note', table: 'tiny' });
    expect(tiny!.tableRows).toBeLessThan(200);
    expect(tiny!.why).toMatch(/under the small-table line of 10,000/);

    const [big] = await analyze(SCAN[engine]('big'));
    expect(big).toMatchObject({ rule: SCAN_RULE[engine], severity: 'block', table: 'big' });
    expect(big!.tableRows).toBeGreaterThan(15_000);
  });

  it('never downgrades a table whose size is unknown', async () => {
    const [missing] = await analyze(SCAN[engine]('not_there'));
    expect(missing).toMatchObject({ severity: 'block', table: 'not_there' });
    expect(missing!.tableRows).toBeUndefined();
    const [noLookup] = await analyzeSql(SCAN[engine]('tiny'), { engine, assumeLockTimeout: true });
    expect(noLookup!.severity).toBe('block');
  });

  it('takes a different line when asked', async () => {
    const [big] = await analyze(SCAN[engine]('big'), { smallTableRows: 50_000 });
    expect(big!.severity).toBe('note');
    const [tiny] = await analyze(SCAN[engine]('tiny'), { smallTableRows: 10 });
    expect(tiny!.severity).toBe('block');
  });

  it('never downgrades breaking changes or a missing lock timeout, whatever the size', async () => {
    const dropped = await analyze('DROP TABLE tiny');
    expect(dropped.map((f) => [f.rule, f.severity])).toEqual([
      [engine === 'postgres' ? 'pg-drop-table' : 'mysql-drop-table', 'block'],
    ]);
    const renamed = await analyze(
      engine === 'postgres'
        ? 'ALTER TABLE tiny RENAME COLUMN note TO remark'
        : 'ALTER TABLE tiny RENAME COLUMN note TO remark',
    );
    expect(renamed.map((f) => f.severity)).toEqual(['block']);
    const unprotected = await analyzeSql('ALTER TABLE tiny ADD COLUMN extra int', { engine, ...context });
    expect(unprotected.map((f) => f.severity)).toEqual(['block']);
  });
});

describe('column facts from the live PostgreSQL catalog', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let db: Database;
  let context: GuardContext;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    raw = await connectRaw(testDb);
    db = openDatabase(testDb.url);
    await createAccounts(raw, 'postgres', 20_000, 'accounts');
    await raw.query('ALTER TABLE accounts ADD COLUMN code varchar(20)');
    context = await guardContextFromDatabase(db);
  });

  afterAll(async () => {
    await db?.close();
    await raw?.close();
    await testDb?.drop();
  });

  const rules = async (sql: string) =>
    (await analyzeSql(sql, { engine: 'postgres', ...context, assumeLockTimeout: true })).map(
      (f) => `${f.rule}:${f.severity}`,
    );

  it('lets SET NOT NULL through once a validated CHECK (col IS NOT NULL) is in the database', async () => {
    const setNotNull = 'ALTER TABLE accounts ALTER COLUMN note SET NOT NULL';
    expect(await rules(setNotNull)).toEqual(['pg-set-not-null:block']);

    await raw.query("UPDATE accounts SET note = 'none' WHERE note IS NULL");
    await raw.query('ALTER TABLE accounts ADD CONSTRAINT note_not_null CHECK (note IS NOT NULL) NOT VALID');
    // Not validated yet: SET NOT NULL would still scan.
    expect(await rules(setNotNull)).toEqual(['pg-set-not-null:block']);
    await raw.query('ALTER TABLE accounts VALIDATE CONSTRAINT note_not_null');
    expect(await rules(setNotNull)).toEqual([]);
    // A column that is NOT NULL already needs no scan either.
    expect(await rules('ALTER TABLE accounts ALTER COLUMN id SET NOT NULL')).toEqual([]);
  });

  it('lets binary-coercible type changes through and blocks the rest', async () => {
    expect(await rules('ALTER TABLE accounts ALTER COLUMN code TYPE varchar(50)')).toEqual([]);
    expect(await rules('ALTER TABLE accounts ALTER COLUMN code TYPE text')).toEqual([]);
    expect(await rules('ALTER TABLE accounts ALTER COLUMN lifetime_value TYPE numeric(14,2)')).toEqual([]);
    expect(await rules('ALTER TABLE accounts ALTER COLUMN code TYPE varchar(10)')).toEqual([
      'pg-alter-column-type:block',
    ]);
    expect(await rules('ALTER TABLE accounts ALTER COLUMN lifetime_value TYPE numeric(14,4)')).toEqual([
      'pg-alter-column-type:block',
    ]);
    expect(await rules('ALTER TABLE accounts ALTER COLUMN applied_count TYPE bigint')).toEqual([
      'pg-alter-column-type:block',
    ]);
  });

  it('agrees with the server: the changes it lets through leave the table file in place', async () => {
    const file = async () =>
      (await raw.query<{ f: string }>("SELECT pg_relation_filenode('accounts')::text AS f"))[0]!.f;
    const before = await file();
    await raw.query('ALTER TABLE accounts ALTER COLUMN code TYPE varchar(50)');
    expect(await file()).toBe(before);
    await raw.query('ALTER TABLE accounts ALTER COLUMN applied_count TYPE bigint');
    expect(await file()).not.toBe(before);
  });
});
