import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSql, type Finding, type LockClass } from '../../src/ddl';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';

interface DangerousCase {
  readonly sql: string;
  readonly rule: string;
  readonly lock: LockClass;
  readonly table?: string;
  readonly breaking?: boolean;
  readonly rewrites?: boolean;
  /** Relation whose lock the server is asked about; omitted when the statement cannot run in a transaction. */
  readonly verifyOn?: string;
  /** Index of the statement in the script the finding is about (default 0). */
  readonly statementIndex?: number;
}

const DANGEROUS: readonly DangerousCase[] = [
  {
    sql: 'ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid()',
    rule: 'pg-add-column-volatile-default',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    rewrites: true,
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp()',
    rule: 'pg-add-column-volatile-default',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN seq bigserial',
    rule: 'pg-add-column-volatile-default',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN total int GENERATED ALWAYS AS (score * 2) STORED',
    rule: 'pg-add-column-volatile-default',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN flag boolean NOT NULL',
    rule: 'pg-add-column-not-null-without-default',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL',
    rule: 'pg-set-not-null',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ALTER COLUMN score SET DATA TYPE bigint',
    rule: 'pg-alter-column-type',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    rewrites: true,
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE text USING upper(name)',
    rule: 'pg-alter-column-type',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD CONSTRAINT score_positive CHECK (score > 0)',
    rule: 'pg-add-check-without-not-valid',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD CONSTRAINT accounts_ref_fk FOREIGN KEY (ref_id) REFERENCES refs (id)',
    rule: 'pg-add-foreign-key-without-not-valid',
    lock: 'SHARE ROW EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    // The FK alone needs SHARE ROW EXCLUSIVE; adding the column makes the statement ACCESS EXCLUSIVE.
    sql: 'ALTER TABLE accounts ADD COLUMN other_ref bigint REFERENCES refs (id)',
    rule: 'pg-add-foreign-key-without-not-valid',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)',
    rule: 'pg-add-unique-without-using-index',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE events ADD PRIMARY KEY (id)',
    rule: 'pg-add-unique-without-using-index',
    lock: 'ACCESS EXCLUSIVE',
    table: 'events',
    verifyOn: 'events',
  },
  {
    sql: 'CREATE INDEX accounts_tier_idx ON accounts (tier)',
    rule: 'pg-create-index-without-concurrently',
    lock: 'SHARE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'DROP INDEX accounts_email_idx',
    rule: 'pg-drop-index-without-concurrently',
    lock: 'ACCESS EXCLUSIVE',
    verifyOn: 'accounts',
  },
  {
    sql: 'BEGIN; CREATE INDEX CONCURRENTLY accounts_tier_idx ON accounts (tier); COMMIT',
    rule: 'pg-concurrently-in-transaction',
    lock: 'SHARE UPDATE EXCLUSIVE',
    table: 'accounts',
    statementIndex: 1,
  },
  {
    sql: 'START TRANSACTION; DROP INDEX CONCURRENTLY accounts_email_idx; COMMIT',
    rule: 'pg-concurrently-in-transaction',
    lock: 'SHARE UPDATE EXCLUSIVE',
    statementIndex: 1,
  },
  {
    sql: 'VACUUM FULL accounts',
    rule: 'pg-vacuum-full',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    rewrites: true,
  },
  {
    sql: 'CLUSTER accounts USING accounts_pkey',
    rule: 'pg-cluster',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    rewrites: true,
    verifyOn: 'accounts',
  },
  {
    sql: 'REINDEX TABLE accounts',
    rule: 'pg-reindex-without-concurrently',
    lock: 'SHARE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'REFRESH MATERIALIZED VIEW account_ids',
    rule: 'pg-refresh-matview-without-concurrently',
    lock: 'ACCESS EXCLUSIVE',
    table: 'account_ids',
    verifyOn: 'account_ids',
  },
  {
    sql: 'ALTER TABLE accounts SET TABLESPACE pg_default',
    rule: 'pg-rewrite-table-options',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts SET UNLOGGED',
    rule: 'pg-rewrite-table-options',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts RENAME COLUMN tier TO level',
    rule: 'pg-rename',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    breaking: true,
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts RENAME TO customers',
    rule: 'pg-rename',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    breaking: true,
    verifyOn: 'accounts',
  },
  {
    sql: 'ALTER TABLE accounts DROP COLUMN email',
    rule: 'pg-drop-column',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    breaking: true,
    verifyOn: 'accounts',
  },
  {
    sql: 'DROP TABLE events',
    rule: 'pg-drop-table',
    lock: 'ACCESS EXCLUSIVE',
    table: 'events',
    breaking: true,
    verifyOn: 'events',
  },
  {
    sql: 'TRUNCATE accounts',
    rule: 'pg-truncate',
    lock: 'ACCESS EXCLUSIVE',
    table: 'accounts',
    breaking: true,
    verifyOn: 'accounts',
  },
  {
    sql: "UPDATE accounts SET tier = 'gold'",
    rule: 'pg-unbatched-dml',
    lock: 'ROW EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  {
    sql: 'DELETE FROM accounts',
    rule: 'pg-unbatched-dml',
    lock: 'ROW EXCLUSIVE',
    table: 'accounts',
    verifyOn: 'accounts',
  },
  { sql: 'ALTER TABLE accounts ADD COLUMN', rule: 'pg-unparsed', lock: 'UNKNOWN' },
];

/** Safe forms: each must pass (no blocking finding) with lock_timeout set. */
const SAFE: readonly string[] = [
  'ALTER TABLE accounts ADD COLUMN note text',
  "ALTER TABLE accounts ADD COLUMN status text NOT NULL DEFAULT 'new'",
  'ALTER TABLE accounts ADD COLUMN seen_at timestamptz DEFAULT now()',
  'ALTER TABLE accounts ADD COLUMN joined date DEFAULT CURRENT_DATE',
  'ALTER TABLE accounts ADD CONSTRAINT score_positive CHECK (score > 0) NOT VALID',
  'ALTER TABLE accounts VALIDATE CONSTRAINT score_positive',
  'ALTER TABLE accounts ADD CONSTRAINT accounts_ref_fk FOREIGN KEY (ref_id) REFERENCES refs (id) NOT VALID',
  'ALTER TABLE accounts ADD CONSTRAINT tier_nn CHECK (tier IS NOT NULL) NOT VALID; ALTER TABLE accounts VALIDATE CONSTRAINT tier_nn; ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL; ALTER TABLE accounts DROP CONSTRAINT tier_nn',
  'CREATE INDEX CONCURRENTLY accounts_tier_idx ON accounts (tier)',
  'CREATE UNIQUE INDEX CONCURRENTLY accounts_email_uidx ON accounts (email)',
  'ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_uidx',
  'DROP INDEX CONCURRENTLY accounts_email_idx',
  'REINDEX TABLE CONCURRENTLY accounts',
  'REFRESH MATERIALIZED VIEW CONCURRENTLY account_ids',
  'VACUUM (ANALYZE) accounts',
  'ALTER TABLE accounts SET (fillfactor = 70)',
  'ALTER TABLE accounts ALTER COLUMN tier SET DEFAULT $$basic$$',
  'CREATE TABLE audit_log (id bigint PRIMARY KEY, body text); CREATE INDEX audit_log_body_idx ON audit_log (body); ALTER TABLE audit_log ADD COLUMN at timestamptz NOT NULL',
  'CREATE TABLE tmp_import (id bigint); INSERT INTO tmp_import VALUES (1); DROP TABLE tmp_import',
  "UPDATE accounts SET tier = 'gold' WHERE id = 3",
  'SELECT count(*) FROM accounts',
];

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

async function analyze(sql: string): Promise<Finding[]> {
  return analyzeSql(sql, { engine: 'postgres', assumeLockTimeout: true });
}

describe('the PostgreSQL rules, with the real parser and the real server', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    raw = await connectRaw(testDb);
    await raw.query('CREATE TABLE refs (id bigint PRIMARY KEY)');
    await raw.query('INSERT INTO refs SELECT n FROM generate_series(1, 10) n');
    await raw.query(`CREATE TABLE accounts (
      id bigint PRIMARY KEY, email text NOT NULL, tier text, score int NOT NULL, ref_id bigint,
      name varchar(20) NOT NULL)`);
    await raw.query(`INSERT INTO accounts SELECT n * 3, 'u' || n || '@example.com', 'basic', n, n % 10 + 1, 'n' || n
                     FROM generate_series(1, 50) n`);
    await raw.query('CREATE INDEX accounts_email_idx ON accounts (email)');
    await raw.query('CREATE TABLE events (id bigint NOT NULL, payload text)');
    await raw.query('CREATE MATERIALIZED VIEW account_ids AS SELECT id FROM accounts');
    await raw.query('CREATE UNIQUE INDEX account_ids_id ON account_ids (id)');
  });

  afterAll(async () => {
    await raw?.close();
    await testDb?.drop();
  });

  /** The strongest lock the server itself holds on `relation` after running `sql`, rolled back. */
  async function serverLock(sql: string, relation: string): Promise<LockClass> {
    await raw.query('BEGIN');
    try {
      await raw.query("SET LOCAL lock_timeout = '5s'");
      // By oid, taken first: after a rename or drop the name no longer resolves.
      const [{ oid }] = await raw.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [relation]);
      await raw.query(sql);
      const rows = await raw.query<{ mode: string }>(
        `SELECT mode FROM pg_locks WHERE locktype = 'relation' AND pid = pg_backend_pid() AND relation = $1`,
        [oid],
      );
      const held = rows
        .map((r) => LOCK_MODES[r.mode]!)
        .sort((a, b) => STRENGTH.indexOf(a) - STRENGTH.indexOf(b));
      return held[0] ?? 'NONE';
    } finally {
      await raw.query('ROLLBACK');
    }
  }

  it.each(DANGEROUS)('$rule: $sql', async (c) => {
    const findings = await analyze(c.sql);
    const found = findings.find((f) => f.rule === c.rule);
    expect(found, `findings: ${JSON.stringify(findings.map((f) => f.rule))}`).toBeDefined();
    expect(found!.lock).toBe(c.lock);
    expect(found!.statementIndex).toBe(c.statementIndex ?? 0);
    expect(found!.table).toBe(c.table);
    expect(found!.breaking).toBe(c.breaking ?? false);
    if (c.rewrites !== undefined) expect(found!.rewritesTable).toBe(c.rewrites);
    expect(['block', 'warn']).toContain(found!.severity);
    expect(found!.why.length).toBeGreaterThan(20);
    expect(found!.safeAlternative.length).toBeGreaterThan(20);
    expect(found!.fingerprint).toMatch(/^ddl1-[0-9a-f]{16}$/);
    if (c.verifyOn) expect(await serverLock(c.sql, c.verifyOn)).toBe(c.lock);
  });

  it.each(SAFE)('passes: %s', async (sql) => {
    const blocking = (await analyze(sql)).filter((f) => f.severity === 'block');
    expect(blocking).toEqual([]);
  });

  it('runs every safe form on the server as written', async () => {
    // The safe forms are real SQL, not just parseable: they run, in this order, on the real table.
    for (const sql of SAFE) await raw.query(sql);
    const notNull = await raw.query<{ attnotnull: boolean }>(
      "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'tier'",
    );
    expect(notNull[0]!.attnotnull).toBe(true);
  });

  it('refuses a lock-taking statement with no lock_timeout, and accepts it after SET lock_timeout', async () => {
    const bare = await analyzeSql('ALTER TABLE accounts ADD COLUMN note text', { engine: 'postgres' });
    expect(bare.map((f) => [f.rule, f.lock, f.severity])).toEqual([
      ['pg-missing-lock-timeout', 'ACCESS EXCLUSIVE', 'block'],
    ]);

    const guarded = await analyzeSql("SET lock_timeout = '2s'; ALTER TABLE accounts ADD COLUMN note text", {
      engine: 'postgres',
    });
    expect(guarded).toEqual([]);

    const local = await analyzeSql(
      "BEGIN; SET LOCAL lock_timeout = '1s'; ALTER TABLE accounts ADD COLUMN note text; COMMIT; ALTER TABLE accounts ADD COLUMN other text",
      { engine: 'postgres' },
    );
    // SET LOCAL ends with its transaction: the statement after COMMIT is unprotected again.
    expect(local.map((f) => [f.rule, f.statementIndex])).toEqual([['pg-missing-lock-timeout', 4]]);

    const tooLong = await analyzeSql(
      "SET lock_timeout = '5min'; CREATE INDEX CONCURRENTLY i ON accounts (tier); DROP INDEX accounts_email_idx",
      {
        engine: 'postgres',
      },
    );
    expect(tooLong.filter((f) => f.rule === 'pg-missing-lock-timeout').map((f) => f.statementIndex)).toEqual([
      2,
    ]);
    expect(tooLong.find((f) => f.rule === 'pg-missing-lock-timeout')!.why).toMatch(/300000 ms/);

    const reset = await analyzeSql(
      "SET lock_timeout = '1s'; RESET lock_timeout; ALTER TABLE accounts DROP CONSTRAINT x",
      { engine: 'postgres' },
    );
    expect(reset.map((f) => f.rule)).toEqual(['pg-missing-lock-timeout']);
  });

  it('reports each statement of a multi-statement script at its own index and line', async () => {
    const findings = await analyzeSql(
      "SET lock_timeout = '2s'; SET statement_timeout = '1min';\n-- step 1\nALTER TABLE accounts ADD COLUMN note text;\n\n/* step 2 */\nCREATE INDEX accounts_note_idx ON accounts (note);\n",
      { engine: 'postgres' },
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      statementIndex: 3,
      line: 6,
      statement: 'CREATE INDEX accounts_note_idx ON accounts (note)',
      rule: 'pg-create-index-without-concurrently',
    });
  });

  it('keeps analysing the statements around one the parser rejects', async () => {
    const findings = await analyze(
      'CREATE INDEX a_idx ON accounts (tier);\nALTER TABLE accounts ADD COLUMN;\nVACUUM FULL accounts;',
    );
    expect(findings.map((f) => [f.statementIndex, f.rule])).toEqual([
      [0, 'pg-create-index-without-concurrently'],
      [1, 'pg-unparsed'],
      [2, 'pg-vacuum-full'],
    ]);
    expect(findings[1]!.why).toMatch(/^unparsed: review by hand/);
    expect(findings[1]!.severity).toBe('block');
  });

  it('reads statements from several sources as one session', async () => {
    const findings = await analyzeSql(
      [
        "SET lock_timeout = '1s'; SET statement_timeout = '1min'",
        'ALTER TABLE accounts ADD COLUMN note text',
        'CREATE INDEX x ON accounts (note)',
      ],
      {
        engine: 'postgres',
      },
    );
    expect(findings.map((f) => [f.statementIndex, f.rule])).toEqual([
      [3, 'pg-create-index-without-concurrently'],
    ]);
  });
});
