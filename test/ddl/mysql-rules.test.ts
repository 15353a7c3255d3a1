import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import {
  analyzeSql,
  type Finding,
  guardContextFromDatabase,
  type LockClass,
  type MysqlAlgorithm,
} from '../../src/ddl';
import type { DdlCatalog } from '../../src/ddl/types';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';

type Server = 'mysql' | 'mariadb';
type Outcome =
  | { readonly rule: string; readonly lock: LockClass; readonly algorithm?: MysqlAlgorithm }
  | 'passes';

interface MysqlCase {
  readonly sql: string;
  readonly mysql: Outcome;
  readonly mariadb: Outcome;
  /**
   * Check the MariaDB outcome on the real server: `clauses` appends the predicted ALGORITHM and
   * LOCK (and checks the next better ones fail); `as-written` runs the SQL unchanged.
   */
  readonly verify?: 'clauses' | 'as-written';
}

const copy = { rule: 'mysql-alter-copy', lock: 'SHARED', algorithm: 'COPY' } as const;
const rebuild = { rule: 'mysql-alter-rebuilds-table', lock: 'NONE', algorithm: 'INPLACE' } as const;
const unsupported = { rule: 'mysql-online-clause-unsupported', lock: 'NONE' } as const;

const CASES: readonly MysqlCase[] = [
  // Operations that copy the table.
  {
    sql: 'ALTER TABLE accounts MODIFY score BIGINT NOT NULL DEFAULT 1',
    mysql: copy,
    mariadb: copy,
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN total INT AS (score * 2) STORED',
    mysql: copy,
    mariadb: copy,
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD CONSTRAINT score_positive CHECK (score > 0)',
    mysql: copy,
    mariadb: copy,
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD CONSTRAINT accounts_ref_fk FOREIGN KEY (ref_id) REFERENCES refs (id)',
    mysql: copy,
    mariadb: copy,
    verify: 'clauses',
  },
  { sql: 'ALTER TABLE accounts DROP PRIMARY KEY', mysql: copy, mariadb: copy, verify: 'clauses' },
  {
    sql: 'ALTER TABLE accounts CONVERT TO CHARACTER SET latin1',
    mysql: copy,
    mariadb: copy,
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN token VARCHAR(36) DEFAULT (uuid())',
    mysql: copy,
    mariadb: copy,
    verify: 'clauses',
  },
  // In place, but writes wait.
  {
    sql: 'ALTER TABLE accounts ADD FULLTEXT INDEX accounts_body_ft (body)',
    mysql: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    mariadb: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD SPATIAL INDEX accounts_geo_sp (geo)',
    mysql: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    mariadb: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'NOCOPY' },
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN seq INT AUTO_INCREMENT UNIQUE',
    mysql: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    mariadb: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD INDEX accounts_tier_idx (tier), LOCK=SHARED',
    mysql: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    mariadb: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'NOCOPY' },
    verify: 'as-written',
  },
  {
    sql: 'CREATE FULLTEXT INDEX accounts_body_ft ON accounts (body)',
    mysql: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
    mariadb: { rule: 'mysql-alter-blocks-writes', lock: 'SHARED', algorithm: 'INPLACE' },
  },
  // An explicit clause the operation cannot honour: the server refuses the statement.
  {
    sql: 'ALTER TABLE accounts MODIFY score BIGINT NOT NULL, ALGORITHM=INPLACE',
    mysql: unsupported,
    mariadb: unsupported,
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ADD INDEX accounts_tier_idx (tier), ALGORITHM=INSTANT',
    mysql: unsupported,
    mariadb: unsupported,
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN seq INT AUTO_INCREMENT UNIQUE, LOCK=NONE',
    mysql: unsupported,
    mariadb: unsupported,
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN note TEXT, ALGORITHM=INSTANT, LOCK=NONE',
    mysql: unsupported,
    mariadb: 'passes',
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ADD INDEX accounts_tier_idx (tier), ALGORITHM=NOCOPY',
    mysql: unsupported,
    mariadb: 'passes',
    verify: 'as-written',
  },
  // In place with a table rebuild: writes go on, replicas lag.
  {
    sql: 'ALTER TABLE accounts MODIFY tier VARCHAR(20) NOT NULL',
    mysql: rebuild,
    mariadb: rebuild,
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts DROP PRIMARY KEY, ADD PRIMARY KEY (id, score)',
    mysql: rebuild,
    mariadb: rebuild,
    verify: 'clauses',
  },
  { sql: 'ALTER TABLE accounts FORCE', mysql: rebuild, mariadb: rebuild, verify: 'clauses' },
  { sql: 'ALTER TABLE accounts ROW_FORMAT=DYNAMIC', mysql: rebuild, mariadb: rebuild, verify: 'clauses' },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN note TEXT AFTER id, ADD INDEX accounts_tier_idx (tier)',
    mysql: rebuild,
    mariadb: rebuild,
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts MODIFY tier VARCHAR(20) AFTER score',
    mysql: rebuild,
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: 'OPTIMIZE TABLE accounts',
    mysql: { rule: 'mysql-optimize-table', lock: 'NONE', algorithm: 'INPLACE' },
    mariadb: { rule: 'mysql-optimize-table', lock: 'NONE', algorithm: 'INPLACE' },
  },
  // Breaking for running code.
  {
    sql: 'RENAME TABLE accounts TO customers',
    mysql: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'ALTER TABLE accounts RENAME TO customers',
    mysql: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'ALTER TABLE accounts RENAME COLUMN tier TO level',
    mysql: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'ALTER TABLE accounts CHANGE tier level VARCHAR(20)',
    mysql: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-rename', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'ALTER TABLE accounts DROP COLUMN email',
    mysql: { rule: 'mysql-drop-column', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-drop-column', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'DROP TABLE refs',
    mysql: { rule: 'mysql-drop-table', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-drop-table', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'TRUNCATE TABLE accounts',
    mysql: { rule: 'mysql-truncate', lock: 'EXCLUSIVE' },
    mariadb: { rule: 'mysql-truncate', lock: 'EXCLUSIVE' },
  },
  {
    sql: 'DELETE FROM accounts',
    mysql: { rule: 'mysql-unbatched-dml', lock: 'ROW EXCLUSIVE' },
    mariadb: { rule: 'mysql-unbatched-dml', lock: 'ROW EXCLUSIVE' },
  },
  // Fail closed.
  {
    sql: 'ALTER TABLE accounts PARTITION BY HASH(id) PARTITIONS 4',
    mysql: { rule: 'mysql-unparsed', lock: 'UNKNOWN' },
    mariadb: { rule: 'mysql-unparsed', lock: 'UNKNOWN' },
  },
  {
    sql: '/*!50100 ALTER TABLE accounts ENGINE=InnoDB */',
    mysql: { rule: 'mysql-unparsed', lock: 'UNKNOWN' },
    mariadb: { rule: 'mysql-unparsed', lock: 'UNKNOWN' },
  },
  // Safe forms.
  { sql: 'ALTER TABLE accounts ADD COLUMN note TEXT', mysql: 'passes', mariadb: 'passes', verify: 'clauses' },
  {
    sql: "ALTER TABLE accounts ADD COLUMN status VARCHAR(10) NOT NULL DEFAULT 'new'",
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: "ALTER TABLE accounts ADD COLUMN status VARCHAR(10) NOT NULL DEFAULT 'new', ALGORITHM=INSTANT",
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ADD COLUMN seen_at DATETIME DEFAULT CURRENT_TIMESTAMP',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts ADD INDEX accounts_tier_idx (tier), ALGORITHM=INPLACE, LOCK=NONE',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'as-written',
  },
  {
    sql: 'CREATE INDEX accounts_tier_idx ON accounts (tier) ALGORITHM=INPLACE LOCK=NONE',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ADD UNIQUE INDEX accounts_email_uidx (email)',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts DROP INDEX accounts_email_idx',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: 'DROP INDEX accounts_email_idx ON accounts',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'as-written',
  },
  {
    sql: 'ALTER TABLE accounts ALTER COLUMN score SET DEFAULT 5',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: 'ALTER TABLE accounts MODIFY tier VARCHAR(50)',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: "ALTER TABLE accounts MODIFY score INT NOT NULL DEFAULT 7 COMMENT 'points'",
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'clauses',
  },
  {
    sql: 'SET foreign_key_checks = 0; ALTER TABLE accounts ADD CONSTRAINT accounts_ref_fk FOREIGN KEY (ref_id) REFERENCES refs (id)',
    mysql: 'passes',
    mariadb: 'passes',
    verify: 'as-written',
  },
  { sql: 'SET NAMES utf8mb4', mysql: 'passes', mariadb: 'passes' },
  {
    sql: "UPDATE accounts SET tier = 'gold' WHERE id = 3",
    mysql: { rule: 'mysql-unbatched-dml', lock: 'ROW EXCLUSIVE' },
    mariadb: { rule: 'mysql-unbatched-dml', lock: 'ROW EXCLUSIVE' },
  },
];

const BETTER: Partial<Record<MysqlAlgorithm, MysqlAlgorithm>> = {
  COPY: 'INPLACE',
  INPLACE: 'NOCOPY',
  NOCOPY: 'INSTANT',
};

describe('the MySQL/MariaDB rules, with node-sql-parser and the real MariaDB server', () => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let db: Database;
  let catalog: DdlCatalog;

  /** A fresh pair of tables: MySQL DDL is not transactional, so every attempt starts over. */
  async function freshTables() {
    await raw.query('SET foreign_key_checks = 1');
    await raw.query('DROP TABLE IF EXISTS accounts, customers, refs');
    await raw.query('CREATE TABLE refs (id BIGINT PRIMARY KEY) ENGINE=InnoDB');
    await raw.query('INSERT INTO refs VALUES (1), (2), (3)');
    await raw.query(`CREATE TABLE accounts (
      id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL, tier VARCHAR(20) NULL, score INT NOT NULL DEFAULT 1,
      ref_id BIGINT NULL, body TEXT, geo POINT NOT NULL,
      INDEX accounts_email_idx (email), INDEX accounts_ref_idx (ref_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await raw.query(`INSERT INTO accounts VALUES
      (3, 'a@example.com', 'basic', 1, 1, 'hello', POINT(1, 1)), (6, 'b@example.com', 'basic', 2, 2, 'world', POINT(2, 2))`);
  }

  /** Runs each statement of `sql` on fresh tables; resolves to the server's error message, or undefined. */
  async function attempt(sql: string): Promise<string | undefined> {
    await freshTables();
    try {
      for (const statement of sql.split(/;\s*/)) await raw.query(statement);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  const clauses = (sql: string, algorithm: string, lock?: string) =>
    `${sql}, ALGORITHM=${algorithm}${lock ? `, LOCK=${lock}` : ''}`;

  beforeAll(async () => {
    testDb = await createTestDatabase('mysql');
    raw = await connectRaw(testDb);
    db = openDatabase(testDb.url);
    // Column definitions come from the live catalog; table sizes are left out so nothing is downgraded.
    catalog = (await guardContextFromDatabase(db)).catalog!;
    await freshTables();
  });

  afterAll(async () => {
    await db?.close();
    await raw?.close();
    await testDb?.drop();
  });

  async function analyze(sql: string, server: Server): Promise<Finding[]> {
    await freshTables();
    return analyzeSql(sql, { engine: 'mysql', server, catalog, assumeLockTimeout: true });
  }

  for (const server of ['mysql', 'mariadb'] as const) {
    it.each(CASES)(`${server}: $sql`, async (c) => {
      const outcome = c[server];
      const findings = await analyze(c.sql, server);
      if (outcome === 'passes') {
        expect(findings.map((f) => `${f.rule}: ${f.why}`)).toEqual([]);
        return;
      }
      const found = findings.find((f) => f.rule === outcome.rule);
      expect(found, `findings: ${JSON.stringify(findings.map((f) => f.rule))}`).toBeDefined();
      expect(found!.lock).toBe(outcome.lock);
      if (outcome.algorithm) expect(found!.algorithm).toBe(outcome.algorithm);
      expect(found!.why.length).toBeGreaterThan(20);
      expect(found!.safeAlternative.length).toBeGreaterThan(20);
    });
  }

  it.each(CASES.filter((c) => c.verify))('MariaDB does what the guard says: $sql', async (c) => {
    const outcome = c.mariadb;
    if (c.verify === 'as-written') {
      const error = await attempt(c.sql);
      if (outcome !== 'passes' && outcome.rule === 'mysql-online-clause-unsupported') {
        expect(error).toMatch(/is not supported|not supported for this operation/);
      } else {
        expect(error).toBeUndefined();
      }
      return;
    }
    if (outcome === 'passes') {
      // No finding means online: no copy, no rebuild, writes go on.
      expect(await attempt(clauses(c.sql, 'NOCOPY', 'NONE'))).toBeUndefined();
      return;
    }
    const algorithm = outcome.algorithm!;
    const lock = outcome.lock === 'SHARED' ? 'SHARED' : 'NONE';
    expect(await attempt(clauses(c.sql, algorithm, algorithm === 'COPY' ? 'SHARED' : lock))).toBeUndefined();
    const better = BETTER[algorithm];
    if (better) expect(await attempt(clauses(c.sql, better))).toMatch(/not supported/);
    if (lock === 'SHARED' && algorithm !== 'COPY')
      expect(await attempt(clauses(c.sql, algorithm, 'NONE'))).toMatch(/not supported/);
  });

  it('without the catalog, MODIFY is taken for a type change (fail closed)', async () => {
    const findings = await analyzeSql(
      "ALTER TABLE accounts MODIFY score INT NOT NULL DEFAULT 7 COMMENT 'points'",
      {
        engine: 'mysql',
        server: 'mariadb',
        assumeLockTimeout: true,
      },
    );
    expect(findings.map((f) => f.rule)).toEqual(['mysql-alter-copy']);
    expect(findings[0]!.why).toMatch(/could not read the current definition of score/);
  });

  it('foreign_key_checks=0 earlier in the script makes ADD FOREIGN KEY online; turning it back on does not', async () => {
    const fk =
      'ALTER TABLE accounts ADD CONSTRAINT accounts_ref_fk FOREIGN KEY (ref_id) REFERENCES refs (id)';
    const findings = await analyzeSql(
      `SET foreign_key_checks = 0; ${fk}; SET foreign_key_checks = 1; ${fk}`,
      {
        engine: 'mysql',
        server: 'mysql',
        assumeLockTimeout: true,
      },
    );
    expect(findings.map((f) => [f.statementIndex, f.rule])).toEqual([[3, 'mysql-alter-copy']]);
  });

  it('requires a short lock_wait_timeout before DDL, in any of its spellings', async () => {
    const rulesOf = async (sql: string, server: Server | 'any' = 'any') =>
      (await analyzeSql(sql, { engine: 'mysql', server })).map((f) => [f.statementIndex, f.rule]);
    expect(await rulesOf('ALTER TABLE accounts ADD COLUMN note TEXT')).toEqual([
      [0, 'mysql-missing-lock-wait-timeout'],
    ]);
    expect(
      await rulesOf('SET SESSION lock_wait_timeout = 5; ALTER TABLE accounts ADD COLUMN note TEXT'),
    ).toEqual([]);
    expect(
      await rulesOf('SET @@session.lock_wait_timeout = 3; ALTER TABLE accounts ADD COLUMN note TEXT'),
    ).toEqual([]);
    expect(
      await rulesOf(
        'SET lock_wait_timeout = 5, foreign_key_checks = 1; ALTER TABLE accounts ADD COLUMN note TEXT',
      ),
    ).toEqual([]);
    // GLOBAL does not change the running session; DEFAULT brings back the one-year default.
    expect(
      await rulesOf('SET GLOBAL lock_wait_timeout = 5; ALTER TABLE accounts ADD COLUMN note TEXT'),
    ).toEqual([[1, 'mysql-missing-lock-wait-timeout']]);
    expect(
      await rulesOf('SET lock_wait_timeout = 5; SET lock_wait_timeout = DEFAULT; RENAME TABLE a TO b'),
    ).toEqual([
      [2, 'mysql-rename'],
      [2, 'mysql-missing-lock-wait-timeout'],
    ]);
    const long = await analyzeSql('SET lock_wait_timeout = 600; OPTIMIZE TABLE accounts', {
      engine: 'mysql',
    });
    expect(long.find((f) => f.rule === 'mysql-missing-lock-wait-timeout')!.why).toMatch(/600 s/);
    // MariaDB's per-statement WAIT n counts; MySQL does not know the syntax at all.
    expect(await rulesOf('ALTER TABLE accounts WAIT 5 ADD COLUMN note TEXT', 'mariadb')).toEqual([]);
    expect(await rulesOf('ALTER TABLE accounts WAIT 5 ADD COLUMN note TEXT', 'mysql')).toEqual([
      [0, 'mysql-unparsed'],
    ]);
  });

  it('reads MariaDB-only syntax (ALTER ONLINE, WAIT, NOWAIT, ALGORITHM=NOCOPY) and runs it as the guard read it', async () => {
    const online = 'ALTER ONLINE TABLE accounts NOWAIT ADD INDEX accounts_tier_idx (tier)';
    expect(await analyzeSql(online, { engine: 'mysql', server: 'mariadb' })).toEqual([]);
    expect(await attempt(online)).toBeUndefined();

    // ONLINE means LOCK=NONE, which a FULLTEXT index cannot have: the server refuses it, and so does the guard.
    const fulltext = 'ALTER ONLINE TABLE accounts WAIT 2 ADD FULLTEXT INDEX accounts_body_ft (body)';
    const findings = await analyzeSql(fulltext, { engine: 'mysql' });
    expect(findings.map((f) => f.rule)).toEqual(['mysql-online-clause-unsupported']);
    expect(await attempt(fulltext)).toMatch(/not supported/);

    const nocopy = 'ALTER TABLE accounts MODIFY tier VARCHAR(20) NOT NULL, ALGORITHM=NOCOPY';
    expect(
      (
        await analyzeSql(nocopy, { engine: 'mysql', server: 'mariadb', catalog, assumeLockTimeout: true })
      ).map((f) => f.rule),
    ).toEqual(['mysql-online-clause-unsupported']);
    expect(await attempt(nocopy)).toMatch(/not supported/);
  });

  it('notes where MySQL 8 and MariaDB 10.11 differ when the server is not known', async () => {
    const findings = await analyzeSql('ALTER TABLE accounts MODIFY tier VARCHAR(20) AFTER score', {
      engine: 'mysql',
      catalog,
      assumeLockTimeout: true,
    });
    expect(findings.map((f) => f.rule)).toEqual(['mysql-alter-rebuilds-table']);
    expect(findings[0]!.why).toMatch(
      /MySQL 8: INPLACE with a table rebuild, LOCK=NONE; MariaDB 10.11: INSTANT, LOCK=NONE/,
    );
  });
});
