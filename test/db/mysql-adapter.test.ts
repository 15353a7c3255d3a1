import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMysqlDatabase,
  mysqlDialect,
  mysqlLockName,
  replicaLagFromStatus,
  toDbError,
  UnsafeIdentifierError,
} from '../../src/db/mysql';
import { type Database, DbError, type Row } from '../../src/db/types';
import { createTestDatabase, type TestDatabase } from '../support/databases';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const WIDE_ROWS = 20_000;
const TIMEOUTS = { lockTimeoutMs: 1000, statementTimeoutMs: 10_000 };

let testDb: TestDatabase;
let db: Database;
/** A plain connection outside the adapter: the "other session" that checks what was committed. */
let observer: mysql.Connection;

async function look<R = Row>(text: string, values?: unknown[]): Promise<R[]> {
  const [rows] = await observer.query(text, values);
  return rows as R[];
}

function connect(): Promise<mysql.Connection> {
  return mysql.createConnection({ uri: testDb.url, supportBigNumbers: true, bigNumberStrings: true });
}

beforeAll(async () => {
  testDb = await createTestDatabase('mysql');
  db = createMysqlDatabase({ url: testDb.url });
  observer = await connect();
  await observer.query('CREATE TABLE items (id BIGINT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
  await observer.query(
    'CREATE TABLE wide (id BIGINT NOT NULL PRIMARY KEY, c INT NOT NULL, pad VARCHAR(40) NOT NULL) ENGINE=InnoDB',
  );
  // Digits cross-joined rather than a recursive CTE, which servers cap (max_recursive_iterations).
  const digits =
    '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
  await observer.query(
    `INSERT INTO wide (id, c, pad)
     SELECT n, (n * 7919) % 20011, REPEAT('x', 40) FROM (
       SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n
         FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f
     ) seq WHERE n <= ?`,
    [WIDE_ROWS],
  );
  await observer.query('ANALYZE TABLE wide');
});

afterAll(async () => {
  await db?.close();
  await observer?.end();
  await testDb?.drop();
});

describe('mysqlDialect', () => {
  it('quotes plain identifiers with backticks and refuses anything else', () => {
    expect(mysqlDialect.quoteIdent('order_items')).toBe('`order_items`');
    expect(mysqlDialect.quoteTable({ schema: 'billing', name: 'accounts' })).toBe('`billing`.`accounts`');
    expect(() => mysqlDialect.quoteIdent('a`b')).toThrow(UnsafeIdentifierError);
    expect(() => mysqlDialect.quoteIdent('x; DROP')).toThrow(UnsafeIdentifierError);
    expect(() => mysqlDialect.quoteTable({ schema: 'ok', name: 'bad name' })).toThrow(/plain SQL identifier/);
  });

  it('uses ? for every placeholder', () => {
    expect([1, 2, 7].map((n) => mysqlDialect.placeholder(n))).toEqual(['?', '?', '?']);
  });
});

describe('queries outside a batch', () => {
  it('reports the server flavour and version', async () => {
    expect(await db.serverVersion()).toMatch(/^(mariadb|mysql) \d+\.\d+/);
  });

  it('turns every driver error into a DbError and refuses a second statement', async () => {
    const syntax = await rejection(db.query('SELEC 1'));
    expect(syntax).toBeInstanceOf(DbError);
    expect(syntax).toMatchObject({ kind: 'other', code: '1064' });
    expect((syntax as DbError).cause).toBeDefined();
    // multipleStatements stays off, so a smuggled second statement is a syntax error, not a DROP.
    expect(await rejection(db.query('SELECT 1; DROP TABLE items'))).toMatchObject({
      kind: 'other',
      code: '1064',
    });
    expect(await look('SHOW TABLES LIKE ?', ['items'])).toHaveLength(1);
  });

  it('refuses a second statement inside a batch and a session too, changing nothing', async () => {
    const before = await look('SELECT * FROM items ORDER BY id');
    const smuggled = 'SELECT 1; DELETE FROM items';
    expect(
      await rejection(
        db.withBatchTransaction({ lockName: 'smuggle', ...TIMEOUTS }, (tx) => tx.query(smuggled)),
      ),
    ).toMatchObject({ code: '1064' });
    expect(await rejection(db.withSession(TIMEOUTS, (session) => session.query(smuggled)))).toMatchObject({
      code: '1064',
    });
    expect(await look('SELECT * FROM items ORDER BY id')).toEqual(before);
  });

  it('refuses URL parameters that would override its driver settings', () => {
    expect(() => createMysqlDatabase({ url: `${testDb.url}?multipleStatements=true` })).toThrow(DbError);
  });

  it('refuses values that mysql2 would expand into SQL', async () => {
    expect(await rejection(db.query('SELECT ?', [{ id: 1 }]))).toMatchObject({ kind: 'other' });
    expect(await rejection(db.query('SELECT ?', [[1, 2]]))).toMatchObject({ kind: 'other' });
  });

  it('counts matched rows for an UPDATE that changes nothing', async () => {
    await observer.query('INSERT INTO items (id, v) VALUES (700, 5), (701, 5)');
    const outside = await db.query('UPDATE items SET v = ? WHERE id IN (?, ?)', [5, 700, 701]);
    expect(outside.rowCount).toBe(2);
    const inside = await db.withBatchTransaction({ lockName: 'same-value', ...TIMEOUTS }, (tx) =>
      tx.query('UPDATE items SET v = ? WHERE id IN (?, ?)', [5, 700, 701]),
    );
    expect(inside).toEqual({ held: false, value: { rows: [], rowCount: 2 } });
  });

  it('gives SELECT row counts', async () => {
    const result = await db.query('SELECT id FROM wide WHERE id <= ? ORDER BY id', [3]);
    expect(result).toEqual({ rows: [{ id: '1' }, { id: '2' }, { id: '3' }], rowCount: 3 });
  });

  it('keeps BIGINT keys beyond 2^53 exact, as strings, and matches them as BigInt parameters', async () => {
    await observer.query(
      'CREATE TABLE big (id BIGINT NOT NULL PRIMARY KEY, label VARCHAR(10)) ENGINE=InnoDB',
    );
    const keys = ['9007199254740993', '9007199254740994', '9223372036854775807'];
    await db.query('INSERT INTO big (id, label) VALUES (?, ?), (?, ?), (?, ?)', [
      BigInt(keys[0]!),
      'a',
      BigInt(keys[1]!),
      'b',
      BigInt(keys[2]!),
      'c',
    ]);
    const all = await db.query<{ id: unknown }>('SELECT id FROM big ORDER BY id');
    expect(all.rows.map((r) => r.id)).toEqual(keys);
    const byBigInt = await db.query<{ label: string }>('SELECT label FROM big WHERE id = ?', [
      BigInt(keys[1]!),
    ]);
    expect(byBigInt.rows).toEqual([{ label: 'b' }]);
    const keyset = await db.query<{ id: string }>('SELECT id FROM big WHERE id > ? ORDER BY id LIMIT 1', [
      BigInt(keys[0]!),
    ]);
    expect(keyset.rows).toEqual([{ id: keys[1] }]);
  });
});

describe('withBatchTransaction', () => {
  it('commits on success with the session timeouts in effect, then resets them', async () => {
    const single = createMysqlDatabase({ url: testDb.url, poolSize: 1 });
    // The statement limit is MariaDB's max_statement_time (seconds) or MySQL's max_execution_time (ms).
    const mariadb = (await db.serverVersion()).startsWith('mariadb');
    const limitVar = mariadb ? 'max_statement_time' : 'max_execution_time';
    try {
      const result = await single.withBatchTransaction(
        { lockName: 'commit', lockTimeoutMs: 1500, statementTimeoutMs: 2500 },
        async (tx) => {
          await tx.query('INSERT INTO items (id, v) VALUES (?, ?)', [1, 10]);
          const { rows } = await tx.query<Row>(
            `SELECT @@session.innodb_lock_wait_timeout AS innodb, @@session.lock_wait_timeout AS mdl,
                    @@session.${limitVar} AS statement, CONNECTION_ID() AS id,
                    (SELECT COUNT(*) FROM information_schema.INNODB_TRX
                      WHERE trx_mysql_thread_id = CONNECTION_ID()) AS inTx`,
          );
          return { ...rows[0]!, connectionId: tx.connectionId };
        },
      );
      expect(result.held).toBe(false);
      const seen = (result as { value: Row }).value;
      // 1500 ms rounds up to 2 whole seconds; MariaDB's statement limit keeps its fraction.
      expect(Number(seen.innodb)).toBe(2);
      expect(Number(seen.mdl)).toBe(2);
      expect(Number(seen.statement)).toBe(mariadb ? 2.5 : 2500);
      expect(Number(seen.inTx)).toBe(1);
      expect(Number(seen.id)).toBe(seen.connectionId);
      expect(await look('SELECT v FROM items WHERE id = 1')).toEqual([{ v: 10 }]);

      // The same pooled connection afterwards carries the server's defaults again.
      const after = await single.query<Row>(
        `SELECT CONNECTION_ID() AS id,
                @@session.innodb_lock_wait_timeout = @@global.innodb_lock_wait_timeout AS innodbReset,
                @@session.lock_wait_timeout = @@global.lock_wait_timeout AS mdlReset,
                @@session.${limitVar} = @@global.${limitVar} AS statementReset`,
      );
      expect(Number(after.rows[0]!.id)).toBe(seen.connectionId);
      expect(after.rows[0]).toMatchObject({ innodbReset: 1, mdlReset: 1, statementReset: 1 });
    } finally {
      await single.close();
    }
  });

  it('rolls back when fn throws, and passes the error through unchanged', async () => {
    const boom = new Error('job code failed');
    let leaked: Parameters<Parameters<Database['withBatchTransaction']>[1]>[0] | undefined;
    const err = await rejection(
      db.withBatchTransaction({ lockName: 'rollback', ...TIMEOUTS }, async (tx) => {
        leaked = tx;
        await tx.query('INSERT INTO items (id, v) VALUES (?, ?)', [2, 20]);
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(await look('SELECT id FROM items WHERE id = 2')).toEqual([]);
    // The transaction handle is dead once its callback is over.
    expect(await rejection(leaked!.query('SELECT 1'))).toMatchObject({ kind: 'other' });
  });

  it('returns { held: true } at once, without running fn, while another session holds the lock', async () => {
    const entered = deferred<number>();
    const gate = deferred();
    const first = db.withBatchTransaction({ lockName: 'held', ...TIMEOUTS }, async (tx) => {
      entered.resolve(tx.connectionId);
      await gate.promise;
      return 'first';
    });
    const holder = await entered.promise;
    const lock = mysqlLockName(testDb.name, 'held');
    try {
      let ran = false;
      const started = Date.now();
      const second = await db.withBatchTransaction({ lockName: 'held', ...TIMEOUTS }, async () => {
        ran = true;
      });
      expect(second).toEqual({ held: true });
      expect(ran).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
      const [used] = await look<{ owner: unknown }>('SELECT IS_USED_LOCK(?) AS owner', [lock]);
      expect(Number(used!.owner)).toBe(holder);
    } finally {
      gate.resolve();
    }
    expect(await first).toEqual({ held: false, value: 'first' });
    expect(await look('SELECT IS_USED_LOCK(?) AS owner', [lock])).toEqual([{ owner: null }]);
  });

  it('scopes the lock to the database, like a PostgreSQL advisory lock', async () => {
    const otherTestDb = await createTestDatabase('mysql');
    const other = createMysqlDatabase({ url: otherTestDb.url });
    const gate = deferred();
    const entered = deferred();
    try {
      const first = db.withBatchTransaction({ lockName: 'shared-job', ...TIMEOUTS }, async () => {
        entered.resolve();
        await gate.promise;
      });
      await entered.promise;
      const elsewhere = await other.withBatchTransaction(
        { lockName: 'shared-job', ...TIMEOUTS },
        async () => 'ran',
      );
      expect(elsewhere).toEqual({ held: false, value: 'ran' });
      gate.resolve();
      await first;
    } finally {
      gate.resolve();
      await other.close();
      await otherTestDb.drop();
    }
  });

  it('hashes lock names MySQL would find too long', async () => {
    const long = `job-${'x'.repeat(100)}`;
    const name = mysqlLockName(testDb.name, long);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toBe(mysqlLockName(testDb.name, long));
    expect(name).not.toBe(mysqlLockName(testDb.name, `${long}y`));
    const owner = await db.withBatchTransaction({ lockName: long, ...TIMEOUTS }, async (tx) => {
      const [row] = await look<{ owner: unknown }>('SELECT IS_USED_LOCK(?) AS owner', [name]);
      return { owner: Number(row!.owner), id: tx.connectionId };
    });
    expect(owner.held).toBe(false);
    const { value } = owner as { value: { owner: number; id: number } };
    expect(value.owner).toBe(value.id);
  });

  it("fails with 'lock-timeout' on a row a foreground transaction holds, and leaves that transaction intact", async () => {
    await observer.query('INSERT INTO items (id, v) VALUES (400, 1)');
    const foreground = await connect();
    try {
      await foreground.query('START TRANSACTION');
      await foreground.query('UPDATE items SET v = 2 WHERE id = 400');
      const started = Date.now();
      const err = await rejection(
        db.withBatchTransaction(
          { lockName: 'row-lock', lockTimeoutMs: 1000, statementTimeoutMs: 10_000 },
          (tx) => tx.query('SELECT id FROM items WHERE id = ? FOR UPDATE', [400]),
        ),
      );
      expect(err).toBeInstanceOf(DbError);
      expect(err).toMatchObject({ kind: 'lock-timeout', code: '1205', retryable: true });
      expect(Date.now() - started).toBeLessThan(3000);
      await foreground.query('COMMIT');
    } finally {
      await foreground.end();
    }
    expect(await look('SELECT v FROM items WHERE id = 400')).toEqual([{ v: 2 }]);
  });

  it("fails with 'statement-timeout' on a statement beyond the limit", async () => {
    // A cross join of the 20k-row table runs for minutes; MariaDB's max_statement_time (and MySQL's
    // max_execution_time, which ignores SLEEP) interrupt it with an error.
    const started = Date.now();
    const err = await rejection(
      db.withBatchTransaction({ lockName: 'slow', lockTimeoutMs: 1000, statementTimeoutMs: 300 }, (tx) =>
        tx.query('SELECT COUNT(*) AS n FROM wide a CROSS JOIN wide b WHERE a.c + b.c = -1'),
      ),
    );
    expect(err).toBeInstanceOf(DbError);
    expect(err).toMatchObject({ kind: 'statement-timeout', retryable: true });
    expect(['1969', '3024']).toContain((err as DbError).code);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reports a killed connection as 'connection', commits nothing, frees the lock, and recovers", async () => {
    const lock = mysqlLockName(testDb.name, 'killed');
    const entered = deferred<number>();
    const gate = deferred();
    const batch = db.withBatchTransaction({ lockName: 'killed', ...TIMEOUTS }, async (tx) => {
      await tx.query('INSERT INTO items (id, v) VALUES (?, ?)', [600, 1]);
      entered.resolve(tx.connectionId);
      await gate.promise;
      await tx.query('INSERT INTO items (id, v) VALUES (?, ?)', [601, 1]);
    });
    const failed = rejection(batch);
    const victim = await entered.promise;
    await observer.query(`KILL ${Number(victim)}`);
    await eventually(
      () => look('SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?', [victim]),
      (rows) => rows.length === 0,
      'the killed session to end',
    );
    gate.resolve();
    const err = await failed;
    expect(err).toBeInstanceOf(DbError);
    expect(err).toMatchObject({ kind: 'connection', retryable: true });

    expect(await look('SELECT id FROM items WHERE id IN (600, 601)')).toEqual([]);
    expect(await look('SELECT IS_FREE_LOCK(?) AS free', [lock])).toEqual([{ free: 1 }]);
    const next = await db.withBatchTransaction({ lockName: 'killed', ...TIMEOUTS }, async (tx) => {
      await tx.query('INSERT INTO items (id, v) VALUES (?, ?)', [602, 1]);
      return tx.connectionId;
    });
    expect(next.held).toBe(false);
    expect((next as { value: number }).value).not.toBe(victim);
    expect(await look('SELECT id FROM items WHERE id BETWEEN 600 AND 602')).toEqual([{ id: '602' }]);
  });

  it('reports a connection killed in the middle of a statement as a connection loss', async () => {
    const running = deferred<number>();
    const batch = db.withBatchTransaction({ lockName: 'killed-running', ...TIMEOUTS }, async (tx) => {
      running.resolve(tx.connectionId);
      await tx.query('SELECT SLEEP(5)');
    });
    // Observed at once: the batch may reject before the KILL statement itself returns.
    const failed = rejection(batch);
    const victim = await running.promise;
    await eventually(
      () =>
        look<{ state: string }>('SELECT COMMAND AS state FROM information_schema.PROCESSLIST WHERE ID = ?', [
          victim,
        ]),
      (rows) => rows[0]?.state === 'Query',
      'the SLEEP to start',
    );
    await observer.query(`KILL ${Number(victim)}`);
    expect(await failed).toMatchObject({ kind: 'connection' });
    const after = await db.withBatchTransaction(
      { lockName: 'killed-running', ...TIMEOUTS },
      async () => 'ok',
    );
    expect(after).toEqual({ held: false, value: 'ok' });
  });
});

describe('server role', () => {
  it('reports this server as writable and not a replica', async () => {
    const role = await db.serverRole();
    expect(role).toMatchObject({ readOnly: false, replica: false });
    expect(role.detail).toMatch(/writable/i);
  });

  it('reports read_only', async () => {
    // Other files toggle global settings too: take turns through the suite's named lock.
    await observer.query("SELECT GET_LOCK('lowtide_test_global_settings', 60)");
    const [before] = await look<{ ro: unknown }>('SELECT @@global.read_only AS ro');
    await observer.query('SET GLOBAL read_only = 1');
    let role: Awaited<ReturnType<Database['serverRole']>>;
    try {
      role = await db.serverRole();
    } finally {
      // The suite connects as root, which read_only does not stop, so other files never notice.
      await observer.query('SET GLOBAL read_only = ?', [Number(before!.ro) ? 1 : 0]);
      await observer.query("SELECT RELEASE_LOCK('lowtide_test_global_settings')");
    }
    expect(role).toMatchObject({ readOnly: true, replica: false });
    expect(role.detail).toMatch(/read_only is ON/);
  });
});

describe('without replication privileges', () => {
  // A user that may read the test database but not replication status, as a least-privilege job
  // user often is; created for this file and dropped again.
  const user = `lt_${Math.random().toString(36).slice(2, 10)}`;
  const password = `pw_${Math.random().toString(36).slice(2, 10)}`;
  let limitedUrl: string;
  let limited: Database;

  beforeAll(async () => {
    await observer.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    await observer.query(`GRANT SELECT ON ${mysqlDialect.quoteIdent(testDb.name)}.* TO ?@?`, [user, '%']);
    const u = new URL(testDb.url);
    u.username = user;
    u.password = password;
    limitedUrl = u.toString();
    limited = createMysqlDatabase({ url: limitedUrl });
  });

  afterAll(async () => {
    await limited?.close();
    await observer.query('DROP USER IF EXISTS ?@?', [user, '%']);
  });

  it('says in the server role that replica status could not be checked, and which grant is missing', async () => {
    const role = await limited.serverRole();
    expect(role).toMatchObject({ readOnly: false, replica: false });
    expect(role.detail).toMatch(/could not be checked/);
    expect(role.detail).toMatch(/REPLICATION CLIENT|REPLICA MONITOR/);
  });

  it('reports a replica it may not inspect as unhealthy with unknown lag', async () => {
    const [lag] = await db.replicaLag([{ name: 'replica-c', url: limitedUrl }]);
    expect(lag).toMatchObject({ replica: 'replica-c', lagSeconds: null, healthy: false });
    expect(lag!.detail).toMatch(/REPLICA MONITOR/);
    expect(lag!.detail).not.toContain(password);
  });
});

describe('introspection', () => {
  beforeAll(async () => {
    await observer.query(`CREATE TABLE fixture (
      id BIGINT NOT NULL PRIMARY KEY,
      tenant INT NOT NULL,
      email VARCHAR(100) NULL,
      note VARCHAR(200) NULL,
      UNIQUE KEY tenant_email (tenant, email),
      KEY by_email (email, tenant),
      KEY note_prefix (note(10))
    ) ENGINE=InnoDB`);
  });

  it('lists columns in table order', async () => {
    const expected = [
      { name: 'id', dataType: 'bigint', nullable: false, columnType: 'bigint(20)' },
      { name: 'tenant', dataType: 'int', nullable: false, columnType: 'int(11)' },
      ...['email', 'note'].map((name) => ({
        name,
        dataType: 'varchar',
        nullable: true,
        columnType: name === 'email' ? 'varchar(100)' : 'varchar(200)',
        // The database's defaults, whatever the server's are.
        collation: expect.any(String),
        charset: expect.any(String),
      })),
    ];
    expect(await db.columns({ name: 'fixture' })).toEqual(expected);
    expect(await db.columns({ schema: testDb.name, name: 'fixture' })).toEqual(expected);
    expect(await db.columns({ name: 'no_such_table' })).toEqual([]);
  });

  it('lists indexes with their columns in index order, leaving out prefix indexes', async () => {
    const indexes = await db.indexes({ name: 'fixture' });
    expect(indexes).toEqual([
      { name: 'PRIMARY', unique: true, primary: true, columns: ['id'] },
      { name: 'by_email', unique: false, primary: false, columns: ['email', 'tenant'] },
      { name: 'tenant_email', unique: true, primary: false, columns: ['tenant', 'email'] },
    ]);
    expect(await db.indexes({ name: 'no_such_table' })).toEqual([]);
  });

  it('explains a keyset selection on the key as an index read', async () => {
    const plan = await db.explain('SELECT id FROM wide WHERE id > ? ORDER BY id LIMIT 100', [0]);
    expect(plan.fullScan).toBe(false);
    expect(plan.summary).toMatch(/key=PRIMARY/);
  });

  it('explains an ordering on an unindexed column as a full scan', async () => {
    const plan = await db.explain('SELECT id FROM wide WHERE c >= ? ORDER BY c LIMIT 100', [0]);
    expect(plan.fullScan).toBe(true);
    expect(plan.summary).toMatch(/type=ALL/);
    expect(plan.estimatedRows).toBeGreaterThan(WIDE_ROWS / 2);
    expect(plan.estimatedRows).toBeLessThan(WIDE_ROWS * 2);
  });

  it('explains only SELECTs', async () => {
    expect(await rejection(db.explain('DELETE FROM wide'))).toMatchObject({ kind: 'other' });
    expect(await look('SELECT COUNT(*) AS n FROM wide')).toEqual([{ n: String(WIDE_ROWS) }]);
  });

  it('estimates table rows from statistics', async () => {
    const estimate = await db.estimateTableRows({ name: 'wide' });
    expect(estimate).toBeGreaterThan(WIDE_ROWS / 2);
    expect(estimate).toBeLessThan(WIDE_ROWS * 2);
    expect(await db.estimateTableRows({ name: 'no_such_table' })).toBe(0);
  });

  it('counts running threads', async () => {
    expect(await db.activeSessions()).toBeGreaterThanOrEqual(1);
  });
});

describe('replica lag', () => {
  it('has nothing to report without replicas', async () => {
    expect(await db.replicaLag([])).toEqual([]);
  });

  it('calls a server without replication unhealthy, never lag 0', async () => {
    const [lag] = await db.replicaLag([{ name: 'self', url: testDb.url }]);
    expect(lag).toMatchObject({ replica: 'self', lagSeconds: null, healthy: false });
    expect(lag!.detail).toMatch(/not configured/);
  });

  it('calls an unreachable replica unhealthy and names it', async () => {
    const [lag] = await db.replicaLag([{ name: 'replica-b', url: 'mysql://lowtide:secret@127.0.0.1:1/app' }]);
    expect(lag).toMatchObject({ replica: 'replica-b', lagSeconds: null, healthy: false });
    expect(lag!.detail).toMatch(/replica-b/);
    expect(lag!.detail).toMatch(/ECONNREFUSED|connect/);
    expect(lag!.detail).not.toMatch(/secret/);
  });

  // No replica runs on this machine, so the status rows below stand in for SHOW REPLICA STATUS
  // from a real one (MariaDB's and MySQL 8's column names).
  it('judges replica status rows in both spellings', () => {
    const running = { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: '4' };
    expect(replicaLagFromStatus('r', running)).toMatchObject({ lagSeconds: 4, healthy: true });
    const modern = { Replica_IO_Running: 'Yes', Replica_SQL_Running: 'Yes', Seconds_Behind_Source: '0' };
    expect(replicaLagFromStatus('r', modern)).toMatchObject({ lagSeconds: 0, healthy: true });
    const ioStopped = {
      ...modern,
      Replica_IO_Running: 'Connecting',
      Last_IO_Error: 'error connecting to source',
    };
    expect(replicaLagFromStatus('r', ioStopped)).toMatchObject({ lagSeconds: null, healthy: false });
    expect(replicaLagFromStatus('r', ioStopped).detail).toMatch(/IO thread.*error connecting to source/);
    const sqlStopped = { ...running, Slave_SQL_Running: 'No', Last_SQL_Error: 'Duplicate entry' };
    expect(replicaLagFromStatus('r', sqlStopped).detail).toMatch(/SQL thread.*Duplicate entry/);
    const unknown = { ...running, Seconds_Behind_Master: null };
    expect(replicaLagFromStatus('r', unknown)).toMatchObject({ lagSeconds: null, healthy: false });
  });
});

describe('toDbError', () => {
  // Codes the local server cannot be made to raise on demand (MySQL-only numbers, read-only mode).
  it.each([
    [{ errno: 1213, sqlState: '40001', message: 'Deadlock found' }, 'deadlock'],
    [
      { errno: 3024, sqlState: 'HY000', message: 'maximum statement execution time exceeded' },
      'statement-timeout',
    ],
    [{ errno: 1290, sqlState: 'HY000', message: 'running with the --read-only option' }, 'read-only'],
    [{ errno: 1290, sqlState: 'HY000', message: 'running with the --secure-file-priv option' }, 'other'],
    [{ errno: 1836, sqlState: 'HY000', message: 'Running in read-only mode' }, 'read-only'],
    [{ errno: 1927, sqlState: '70100', message: 'Connection was killed' }, 'connection'],
    [{ code: 'ECONNRESET', errno: -104, message: 'read ECONNRESET' }, 'connection'],
    [{ code: 'PROTOCOL_CONNECTION_LOST', fatal: true, message: 'Connection lost' }, 'connection'],
    [{ fatal: true, message: "Can't add new command when connection is in closed state" }, 'connection'],
    [{ errno: 1146, sqlState: '42S02', message: "Table 't' doesn't exist" }, 'other'],
  ])('classifies %o as %s', (raw, kind) => {
    const err = toDbError(Object.assign(new Error(raw.message), raw));
    expect(err).toBeInstanceOf(DbError);
    expect(err.kind).toBe(kind);
    expect((err.cause as Error).message).toBe(raw.message);
  });
});

describe('withSession', () => {
  const read = async (q: { query: Database['query'] }) =>
    (
      await q.query<{ lockWait: unknown; innodbWait: unknown; id: unknown; autocommit: unknown }>(
        'SELECT @@SESSION.lock_wait_timeout AS lockWait, @@SESSION.innodb_lock_wait_timeout AS innodbWait, CONNECTION_ID() AS id, @@autocommit AS autocommit',
      )
    ).rows[0];

  it('sets the session lock timeouts inside, in autocommit, and resets them afterwards on the same connection', async () => {
    const single = createMysqlDatabase({ url: testDb.url, poolSize: 1 });
    try {
      const before = await read(single);
      const inside = await single.withSession(
        { lockTimeoutMs: 2500, statementTimeoutMs: 60_000 },
        async (s) => {
          const r = await read(s);
          expect(Number(r?.id)).toBe(s.connectionId);
          await s.query('ALTER TABLE items ADD INDEX items_v_idx (v), ALGORITHM=INPLACE, LOCK=NONE');
          return r;
        },
      );
      expect(Number(inside?.lockWait)).toBe(3);
      expect(Number(inside?.innodbWait)).toBe(3);
      expect(Number(inside?.autocommit)).toBe(1);
      const after = await read(single);
      expect(Number(after?.id)).toBe(Number(inside?.id));
      expect(Number(after?.lockWait)).toBe(Number(before?.lockWait));
      expect(Number(after?.innodbWait)).toBe(Number(before?.innodbWait));
      expect((await single.indexes({ name: 'items' })).map((i) => i.name)).toContain('items_v_idx');
    } finally {
      await single.close();
    }
  });

  it('gives up on a held metadata lock within its lock timeout, and a killed session is not reused', async () => {
    const single = createMysqlDatabase({ url: testDb.url, poolSize: 1 });
    const holder = await connect();
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT * FROM items');
      const err = await rejection(
        single.withSession({ lockTimeoutMs: 1000, statementTimeoutMs: 10_000 }, (s) =>
          s.query('ALTER TABLE items ADD COLUMN extra INT NULL, ALGORITHM=INSTANT'),
        ),
      );
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).kind).toBe('lock-timeout');
      await holder.query('ROLLBACK');

      let killed = 0;
      await rejection(
        single.withSession({ lockTimeoutMs: 1000, statementTimeoutMs: 10_000 }, async (s) => {
          killed = s.connectionId;
          await observer.query(`KILL ${Number(killed)}`);
          await s.query('SELECT 1');
        }),
      );
      expect(Number((await read(single))?.id)).not.toBe(killed);
    } finally {
      await holder.end();
      await single.close();
    }
  });
});
