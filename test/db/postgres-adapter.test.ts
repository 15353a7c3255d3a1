import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advisoryLockKey,
  createPostgresDatabase,
  postgresDialect,
  toDbError,
  UnsafeIdentifierError,
} from '../../src/db/postgres';
import { sql } from '../../src/db/sql';
import { type BatchTxOptions, type Database, DbError } from '../../src/db/types';
import { createTestDatabase, type TestDatabase } from '../support/databases';

let testDb: TestDatabase;
let db: Database;
const sideClients: pg.Client[] = [];
const adapters: Database[] = [];

/** A plain pg connection beside the adapter: the foreground application, or an observer. */
async function sideClient(url = testDb.url): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'lowtide-test-side' });
  client.on('error', () => {});
  await client.connect();
  sideClients.push(client);
  return client;
}

function adapter(options: { url?: string; poolSize?: number } = {}): Database {
  const created = createPostgresDatabase({ url: options.url ?? testDb.url, poolSize: options.poolSize });
  adapters.push(created);
  return created;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function dbErrorOf(work: Promise<unknown>): Promise<DbError> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(DbError);
    return err as DbError;
  }
  throw new Error('expected a DbError, but the operation succeeded');
}

async function itemIds(): Promise<number[]> {
  const observer = await sideClient();
  const { rows } = await observer.query<{ id: string }>('SELECT id FROM items ORDER BY id');
  return rows.map((r) => Number(r.id));
}

const batch = (lockName: string, overrides: Partial<BatchTxOptions> = {}): BatchTxOptions => ({
  lockName,
  lockTimeoutMs: 1000,
  statementTimeoutMs: 5000,
  ...overrides,
});

beforeAll(async () => {
  testDb = await createTestDatabase('postgres');
  db = adapter();
  const setup = await sideClient();
  await setup.query(`
    CREATE TABLE items (id bigint PRIMARY KEY, val text NOT NULL);
    INSERT INTO items VALUES (1, 'one'), (2, 'two');

    CREATE TABLE keyset (id bigint PRIMARY KEY, score integer NOT NULL);
    INSERT INTO keyset SELECT g, (g * 7919) % 20000 FROM generate_series(1, 20000) g;
    ANALYZE keyset;

    CREATE TABLE fixture (
      id bigint PRIMARY KEY,
      email text NOT NULL,
      tenant_id integer,
      note varchar(40),
      created_at timestamptz
    );
    CREATE UNIQUE INDEX fixture_email_key ON fixture (email);
    CREATE INDEX fixture_tenant_created ON fixture (tenant_id, created_at DESC);
    CREATE INDEX fixture_lower_email ON fixture (lower(email));
    CREATE INDEX fixture_note_partial ON fixture (note) WHERE note IS NOT NULL;
    CREATE INDEX fixture_covering ON fixture (tenant_id) INCLUDE (note);
    INSERT INTO fixture VALUES (1, 'a@example.org', 1, 'dup', now()), (2, 'b@example.org', 1, 'dup', now());
    CREATE SCHEMA archive;
    CREATE TABLE archive.fixture (id uuid NOT NULL);
  `);
  // Fails on the duplicate notes and, being CONCURRENTLY, leaves an invalid index behind.
  await expect(
    setup.query('CREATE UNIQUE INDEX CONCURRENTLY fixture_note_unique ON fixture (note)'),
  ).rejects.toThrow(/could not create unique index/);
});

afterAll(async () => {
  for (const a of adapters) await a.close().catch(() => {});
  for (const c of sideClients) await c.end().catch(() => {});
  await testDb?.drop();
});

describe('postgresDialect', () => {
  it('quotes only validated identifiers and numbers placeholders from $1', () => {
    expect(() => postgresDialect.quoteIdent('a"b')).toThrow(UnsafeIdentifierError);
    expect(() => postgresDialect.quoteIdent('x; DROP')).toThrow(UnsafeIdentifierError);
    expect(() => postgresDialect.quoteIdent('')).toThrow(/plain SQL identifier/);
    expect(() => postgresDialect.quoteTable({ schema: 'public', name: 'a"b' })).toThrow(
      UnsafeIdentifierError,
    );
    expect(postgresDialect.quoteIdent('order')).toBe('"order"');
    expect(postgresDialect.quoteTable({ schema: 'archive', name: 'Orders' })).toBe('"archive"."Orders"');
    expect(postgresDialect.placeholder(1)).toBe('$1');
    expect(postgresDialect.placeholder(2)).toBe('$2');
    expect(() => postgresDialect.placeholder(0)).toThrow(RangeError);

    const statement = sql(
      postgresDialect,
      (b) =>
        `SELECT ${b.id('id')} FROM ${b.table({ name: 'items' })} WHERE ${b.id('id')} > ${b.val(5)} AND ${b.id('val')} = ${b.val('x')}`,
    );
    expect(statement).toEqual({
      text: 'SELECT "id" FROM "items" WHERE "id" > $1 AND "val" = $2',
      values: [5, 'x'],
    });
  });
});

describe('toDbError', () => {
  it('classifies SQLSTATEs, socket errors and pg’s own connection errors, keeping the original as cause', () => {
    const cases: Array<[unknown, DbError['kind']]> = [
      [{ code: '55P03', message: 'canceling statement due to lock timeout' }, 'lock-timeout'],
      [{ code: '57014', message: 'canceling statement due to statement timeout' }, 'statement-timeout'],
      [{ code: '40P01', message: 'deadlock detected' }, 'deadlock'],
      [{ code: '25006', message: 'cannot execute INSERT in a read-only transaction' }, 'read-only'],
      [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'connection'],
      [{ code: '57P02', message: 'crash shutdown' }, 'connection'],
      [{ code: '57P03', message: 'the database system is starting up' }, 'connection'],
      [{ code: '08006', message: 'connection failure' }, 'connection'],
      [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection'],
      [Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 'connection'],
      [new Error('Connection terminated unexpectedly'), 'connection'],
      [new Error('Client has encountered a connection error and is not queryable'), 'connection'],
      [{ code: '23505', message: 'duplicate key value violates unique constraint "items_pkey"' }, 'other'],
      [new Error('something else'), 'other'],
    ];
    for (const [raw, kind] of cases) {
      const error = toDbError(raw);
      expect(error, JSON.stringify(raw)).toBeInstanceOf(DbError);
      expect(error.kind, JSON.stringify(raw)).toBe(kind);
      expect(error.cause).toBe(raw);
      expect(error.message).toContain((raw as { message: string }).message);
    }
    const already = new DbError('deadlock', 'x', '40P01');
    expect(toDbError(already)).toBe(already);
    expect(toDbError({ code: '55P03', message: 'm' }).code).toBe('55P03');
  });
});

describe('advisoryLockKey', () => {
  it('is a stable signed 64-bit integer per name', () => {
    const key = advisoryLockKey('lowtide:job-a');
    expect(key).toBe(advisoryLockKey('lowtide:job-a'));
    expect(key).not.toBe(advisoryLockKey('lowtide:job-b'));
    const n = BigInt(key);
    expect(n >= -(2n ** 63n) && n < 2n ** 63n).toBe(true);
    expect(() => advisoryLockKey('')).toThrow(RangeError);
  });
});

describe('query, serverVersion', () => {
  it('sends bigint values and returns int8 as exact strings', async () => {
    const { rows, rowCount } = await db.query<{ v: string }>('SELECT $1::bigint + 1 AS v', [
      9007199254740993n,
    ]);
    expect(rowCount).toBe(1);
    expect(rows[0]!.v).toBe('9007199254740994');
    const json = await db.query<{ v: unknown }>('SELECT $1::jsonb AS v', [{ last: 9007199254740993n }]);
    expect(json.rows[0]!.v).toEqual({ last: '9007199254740993' });
    const ids = await db.query<{ id: string }>(
      'SELECT id FROM items WHERE id = ANY($1::bigint[]) ORDER BY id',
      [[1n, 2n]],
    );
    expect(ids.rows).toEqual([{ id: '1' }, { id: '2' }]);
  });

  it('reports affected rows and turns server errors into DbErrors', async () => {
    const updated = await db.query('UPDATE items SET val = val WHERE id IN ($1, $2)', [1, 2]);
    expect(updated.rowCount).toBe(2);
    const error = await dbErrorOf(db.query('SELEC 1'));
    expect(error.kind).toBe('other');
    expect(error.code).toBe('42601');
    expect(error.message).toMatch(/syntax error/);
  });

  it('names the server and its version', async () => {
    expect(await db.serverVersion()).toMatch(/^postgres \d+\.\d+$/);
  });
});

describe('withBatchTransaction', () => {
  it('commits when fn resolves and returns its value', async () => {
    const result = await db.withBatchTransaction(batch('commit'), async (tx) => {
      expect(tx.dialect).toBe(postgresDialect);
      const inserted = await tx.query('INSERT INTO items VALUES ($1, $2)', [100, 'committed']);
      return inserted.rowCount;
    });
    expect(result).toEqual({ held: false, value: 1 });
    expect(await itemIds()).toContain(100);
  });

  it('rolls back when fn throws, and rethrows the engine’s own error unchanged', async () => {
    class VerifyFailed extends Error {}
    const thrown = new VerifyFailed('affected 1, expected 2');
    await expect(
      db.withBatchTransaction(batch('rollback'), async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1, $2)', [101, 'rolled back']);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(await itemIds()).not.toContain(101);
  });

  it('sets the three timeouts inside the transaction only', async () => {
    const single = adapter({ poolSize: 1 });
    const settings = `SELECT current_setting('lock_timeout') AS lock,
                             current_setting('statement_timeout') AS statement,
                             current_setting('idle_in_transaction_session_timeout') AS idle,
                             pg_backend_pid() AS pid`;
    const inside = await single.withBatchTransaction(
      batch('timeouts', { lockTimeoutMs: 300 }),
      async (tx) => {
        const { rows } = await tx.query<{ lock: string; statement: string; idle: string; pid: number }>(
          settings,
        );
        expect(rows[0]!.pid).toBe(tx.connectionId);
        return rows[0]!;
      },
    );
    expect(inside.held).toBe(false);
    if (inside.held) return;
    expect(inside.value).toMatchObject({ lock: '300ms', statement: '5s', idle: '10s' });

    const longer = await single.withBatchTransaction(
      batch('timeouts', { statementTimeoutMs: 8000 }),
      async (tx) => {
        const { rows } = await tx.query<{ idle: string }>(settings);
        return rows[0]!.idle;
      },
    );
    expect(longer).toEqual({ held: false, value: '16s' });

    // The same pooled connection, after COMMIT: nothing leaked into the session.
    const outside = await single.query<{ lock: string; statement: string; idle: string; pid: number }>(
      settings,
    );
    expect(outside.rows[0]).toEqual({ lock: '0', statement: '0', idle: '0', pid: inside.value.pid });
  });

  it('refuses a zero timeout, which PostgreSQL would read as "wait forever"', async () => {
    let ran = false;
    const error = await dbErrorOf(
      db.withBatchTransaction(batch('zero', { lockTimeoutMs: 0 }), async () => {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    expect(error.message).toMatch(/lockTimeoutMs must be a whole number/);
  });

  it('returns held at once while another session holds the job’s lock, and frees it at commit', async () => {
    const other = adapter();
    const observer = await sideClient();
    const lockName = 'lowtide:contended-job';
    const unsigned = BigInt.asUintN(64, BigInt(advisoryLockKey(lockName)));
    const lockHolders = async () => {
      const { rows } = await observer.query<{ pid: number }>(
        `SELECT pid FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND classid::bigint = $1 AND objid::bigint = $2`,
        [String(unsigned >> 32n), String(unsigned & 0xffffffffn)],
      );
      return rows.map((r) => r.pid);
    };

    const release = deferred();
    const entered = deferred();
    let firstPid = 0;
    const first = db.withBatchTransaction(batch(lockName), async (tx) => {
      firstPid = tx.connectionId;
      entered.resolve();
      await release.promise;
      return 'first';
    });
    await entered.promise;

    let secondRan = false;
    const started = performance.now();
    const second = await other.withBatchTransaction(batch(lockName), async () => {
      secondRan = true;
    });
    expect(second).toEqual({ held: true });
    expect(secondRan).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);

    expect(await lockHolders()).toEqual([firstPid]);
    expect(await db.withBatchTransaction(batch('lowtide:another-job'), async () => 'free')).toEqual({
      held: false,
      value: 'free',
    });

    release.resolve();
    expect(await first).toEqual({ held: false, value: 'first' });
    expect(await lockHolders()).toEqual([]);
    expect(await other.withBatchTransaction(batch(lockName), async () => 'mine now')).toEqual({
      held: false,
      value: 'mine now',
    });
  });

  it('gives up on a row lock after lockTimeoutMs and leaves the foreground transaction intact', async () => {
    const foreground = await sideClient();
    await foreground.query('BEGIN');
    await foreground.query('SELECT val FROM items WHERE id = 1 FOR UPDATE');

    let waitedMs = Number.POSITIVE_INFINITY;
    const error = await dbErrorOf(
      db.withBatchTransaction(batch('row-lock', { lockTimeoutMs: 300 }), async (tx) => {
        const started = performance.now();
        try {
          await tx.query('SELECT id FROM items WHERE id = $1 FOR UPDATE', [1]);
        } finally {
          waitedMs = performance.now() - started;
        }
      }),
    );
    expect(error.kind).toBe('lock-timeout');
    expect(error.code).toBe('55P03');
    expect(error.retryable).toBe(true);
    expect(waitedMs).toBeLessThan(900);

    await foreground.query(`UPDATE items SET val = 'foreground' WHERE id = 1`);
    await foreground.query('COMMIT');
    const { rows } = await db.query<{ val: string }>('SELECT val FROM items WHERE id = 1');
    expect(rows[0]!.val).toBe('foreground');
  });

  it('cancels a statement that runs past statementTimeoutMs', async () => {
    const error = await dbErrorOf(
      db.withBatchTransaction(batch('slow', { lockTimeoutMs: 100, statementTimeoutMs: 200 }), async (tx) => {
        await tx.query('SELECT pg_sleep(3)');
      }),
    );
    expect(error.kind).toBe('statement-timeout');
    expect(error.code).toBe('57014');
  });

  it('reports the loser of a deadlock as a retryable deadlock and commits the winner', async () => {
    const other = adapter();
    const aLocked = deferred();
    const bLocked = deferred();
    // lockTimeoutMs above deadlock_timeout (1 s), so the deadlock detector decides, not the lock timeout.
    const options = { lockTimeoutMs: 4000, statementTimeoutMs: 5000 };
    const lockRow = (tx: Parameters<Parameters<Database['withBatchTransaction']>[1]>[0], id: number) =>
      tx.query('SELECT id FROM items WHERE id = $1 FOR UPDATE', [id]);
    const results = await Promise.allSettled([
      db.withBatchTransaction(batch('deadlock-a', options), async (tx) => {
        await lockRow(tx, 1);
        aLocked.resolve();
        await bLocked.promise;
        await lockRow(tx, 2);
        return 'a';
      }),
      other.withBatchTransaction(batch('deadlock-b', options), async (tx) => {
        await aLocked.promise;
        await lockRow(tx, 2);
        bLocked.resolve();
        await lockRow(tx, 1);
        return 'b';
      }),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(rejected).toHaveLength(1);
    expect(fulfilled).toHaveLength(1);
    const error = (rejected[0] as PromiseRejectedResult).reason as DbError;
    expect(error).toBeInstanceOf(DbError);
    expect(error.kind).toBe('deadlock');
    expect(error.code).toBe('40P01');
    const winner = (fulfilled[0] as PromiseFulfilledResult<{ held: boolean; value?: string }>).value;
    expect(winner.held).toBe(false);
    expect(['a', 'b']).toContain(winner.value);
  });

  it('does not report a commit when fn swallowed a failed statement', async () => {
    const error = await dbErrorOf(
      db.withBatchTransaction(
        batch('swallowed', { lockTimeoutMs: 100, statementTimeoutMs: 200 }),
        async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1, $2)', [102, 'lost']);
          await tx.query('SELECT pg_sleep(3)').catch(() => undefined);
          return 'pretended success';
        },
      ),
    );
    expect(error.message).toMatch(/rolled back instead of committed/);
    expect(await itemIds()).not.toContain(102);
  });

  it('refuses a tx kept beyond its callback', async () => {
    let kept: Parameters<Parameters<Database['withBatchTransaction']>[1]>[0] | undefined;
    await db.withBatchTransaction(batch('leak'), async (tx) => {
      kept = tx;
    });
    const error = await dbErrorOf(kept!.query('SELECT 1'));
    expect(error.message).toMatch(/used after its callback returned/);
  });

  it('reports a terminated backend as a connection error, commits nothing, and recovers the pool', async () => {
    const killer = await sideClient();
    let killedPid = 0;
    const error = await dbErrorOf(
      db.withBatchTransaction(batch('terminated'), async (tx) => {
        killedPid = tx.connectionId;
        await tx.query('INSERT INTO items VALUES ($1, $2)', [103, 'never committed']);
        // The two-argument form waits until the backend is gone (up to 5 s).
        const { rows } = await killer.query<{ done: boolean }>(
          'SELECT pg_terminate_backend($1, 5000) AS done',
          [killedPid],
        );
        expect(rows[0]!.done).toBe(true);
        await tx.query('SELECT 1');
      }),
    );
    expect(error.kind).toBe('connection');
    expect(error.code).toBe('57P01');
    expect(error.retryable).toBe(true);
    expect(await itemIds()).not.toContain(103);

    // More batches than the pool has connections: a dead client left in the pool would surface here.
    for (let i = 0; i < 3; i++) {
      const next = await db.withBatchTransaction(batch('terminated'), async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1, $2)', [110 + i, 'after recovery']);
        return tx.connectionId;
      });
      expect(next.held).toBe(false);
      if (!next.held) expect(next.value).not.toBe(killedPid);
    }
    expect(await itemIds()).toEqual(expect.arrayContaining([110, 111, 112]));
  });
});

describe('serverRole', () => {
  it('reads a normal database as a writable primary', async () => {
    expect(await db.serverRole()).toEqual({
      readOnly: false,
      replica: false,
      detail: expect.stringMatching(/writable primary/),
    });
  });

  it('reads a database with default_transaction_read_only as read-only, and its writes fail as such', async () => {
    const locked = await createTestDatabase('postgres');
    try {
      const admin = await sideClient(locked.url);
      await admin.query('CREATE TABLE t (id int PRIMARY KEY)');
      await admin.query(
        `ALTER DATABASE ${postgresDialect.quoteIdent(locked.name)} SET default_transaction_read_only = on`,
      );
      const readOnlyDb = adapter({ url: locked.url });
      const role = await readOnlyDb.serverRole();
      expect(role.readOnly).toBe(true);
      expect(role.replica).toBe(false);
      expect(role.detail).toMatch(/default_transaction_read_only/);

      const error = await dbErrorOf(
        readOnlyDb.withBatchTransaction(batch('read-only'), async (tx) => {
          await tx.query('INSERT INTO t VALUES (1)');
        }),
      );
      expect(error.kind).toBe('read-only');
      expect(error.retryable).toBe(false);
      await readOnlyDb.close();
    } finally {
      await locked.drop();
    }
  });
});

describe('columns and indexes', () => {
  it('lists columns in order with lowercased types and nullability', async () => {
    // Text columns carry their collation: the database default, which is deterministic.
    const TEXT = { typeKind: 'base', collation: 'default', collationDeterministic: true } as const;
    expect(await db.columns({ name: 'fixture' })).toEqual([
      { name: 'id', dataType: 'bigint', nullable: false, typeKind: 'base' },
      { ...TEXT, name: 'email', dataType: 'text', nullable: false },
      { name: 'tenant_id', dataType: 'integer', nullable: true, typeKind: 'base' },
      { ...TEXT, name: 'note', dataType: 'character varying', nullable: true },
      { name: 'created_at', dataType: 'timestamp with time zone', nullable: true, typeKind: 'base' },
    ]);
    expect(await db.columns({ schema: 'archive', name: 'fixture' })).toEqual([
      { name: 'id', dataType: 'uuid', nullable: false, typeKind: 'base' },
    ]);
  });

  it('lists valid, non-partial indexes with their key columns in order, primary key first', async () => {
    expect(await db.indexes({ name: 'fixture' })).toEqual([
      { name: 'fixture_pkey', unique: true, primary: true, columns: ['id'] },
      { name: 'fixture_covering', unique: false, primary: false, columns: ['tenant_id'] },
      { name: 'fixture_email_key', unique: true, primary: false, columns: ['email'] },
      { name: 'fixture_lower_email', unique: false, primary: false, columns: ['lower(email)'] },
      { name: 'fixture_tenant_created', unique: false, primary: false, columns: ['tenant_id', 'created_at'] },
    ]);
    expect(await db.indexes({ schema: 'archive', name: 'fixture' })).toEqual([]);
  });

  it('gives empty lists for a missing table and a DbError for an unsafe name', async () => {
    expect(await db.columns({ name: 'no_such_table' })).toEqual([]);
    expect(await db.indexes({ name: 'no_such_table' })).toEqual([]);
    expect(await db.columns({ schema: 'no_such_schema', name: 'fixture' })).toEqual([]);
    const error = await dbErrorOf(db.columns({ name: 'fixture; DROP TABLE items' }));
    expect(error.kind).toBe('other');
    expect(error.cause).toBeInstanceOf(UnsafeIdentifierError);
  });
});

describe('explain', () => {
  it('sees the keyset selection on an indexed key as an index scan', async () => {
    const plan = await db.explain('SELECT id FROM keyset WHERE id > $1 ORDER BY id LIMIT 100', [0]);
    expect(plan.fullScan).toBe(false);
    expect(plan.estimatedRows).toBe(100);
    expect(plan.summary).toMatch(/^Limit\(Index (Only )?Scan using keyset_pkey on keyset\)/);
  });

  it('sees the same selection on a column without an index as a full scan', async () => {
    const plan = await db.explain('SELECT score FROM keyset WHERE score > $1 ORDER BY score LIMIT 100', [0]);
    expect(plan.fullScan).toBe(true);
    expect(plan.summary).toContain('Seq Scan on keyset');
  });

  it('sends every statement by the extended protocol: a second one after a ";" fails and changes nothing', async () => {
    const before = await itemIds();
    const smuggled = 'SELECT 1; DELETE FROM items; DROP TABLE items';
    // Without bind values pg would use the simple protocol, which runs all three.
    expect((await dbErrorOf(db.query(smuggled))).code).toBe('42601');
    expect(
      (await dbErrorOf(db.query(`EXPLAIN UPDATE items SET val = 'x' WHERE (true); DROP TABLE items`))).code,
    ).toBe('42601');
    const inBatch = await dbErrorOf(db.withBatchTransaction(batch('smuggle'), (tx) => tx.query(smuggled)));
    expect(inBatch.code).toBe('42601');
    const inSession = await dbErrorOf(
      db.withSession({ lockTimeoutMs: 1000, statementTimeoutMs: 5000 }, (session) => session.query(smuggled)),
    );
    expect(inSession.code).toBe('42601');
    expect(await itemIds()).toEqual(before);
  });

  it('plans without executing and refuses a second statement', async () => {
    await db.explain('DELETE FROM items WHERE id = $1', [1]);
    const error = await dbErrorOf(db.explain('SELECT 1; DROP TABLE items'));
    expect(error.code).toBe('42601');
    expect(await itemIds()).toContain(1);
  });
});

describe('estimates and health readings', () => {
  it('estimates an analyzed table close to its real count', async () => {
    const estimate = await db.estimateTableRows({ name: 'keyset' });
    expect(estimate).toBeGreaterThan(18_000);
    expect(estimate).toBeLessThan(22_000);
  });

  it('counts a small never-analyzed table exactly, and a big one from the planner', async () => {
    const setup = await sideClient();
    await setup.query(`
      CREATE TABLE fresh_small (id int) WITH (autovacuum_enabled = off);
      INSERT INTO fresh_small SELECT generate_series(1, 1234);
      CREATE TABLE fresh_big (id int) WITH (autovacuum_enabled = off);
      INSERT INTO fresh_big SELECT generate_series(1, 150000);
    `);
    expect(await db.estimateTableRows({ name: 'fresh_small' })).toBe(1234);
    const big = await db.estimateTableRows({ schema: 'public', name: 'fresh_big' });
    expect(big).toBeGreaterThan(100_000);
    expect(big).toBeLessThan(190_000);
  });

  it('refuses to estimate a missing table', async () => {
    const error = await dbErrorOf(db.estimateTableRows({ name: 'no_such_table' }));
    expect(error.message).toMatch(/does not exist/);
  });

  it('counts another session running a statement as active', async () => {
    const sleeper = await sideClient();
    const observer = await sideClient();
    const { rows: pidRows } = await sleeper.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const sleeperPid = pidRows[0]!.pid;
    const sleeping = sleeper.query('SELECT pg_sleep(10)').catch(() => undefined);
    const deadline = Date.now() + 5000;
    for (;;) {
      const { rows } = await observer.query(
        `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`,
        [sleeperPid],
      );
      if (rows.length > 0) break;
      if (Date.now() > deadline) throw new Error('the sleeping session never showed as active');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await db.activeSessions()).toBeGreaterThanOrEqual(1);
    await observer.query('SELECT pg_cancel_backend($1)', [sleeperPid]);
    await sleeping;
  });

  it('finds no standby attached to this standalone server', async () => {
    expect(await db.replicaLag([])).toEqual([]);
  });

  it('reports a non-replica and an unreachable replica as unhealthy with unknown lag', async () => {
    const started = performance.now();
    const readings = await db.replicaLag([
      { name: 'self', url: testDb.url },
      { name: 'nowhere', url: 'postgres://postgres@127.0.0.1:1/test' },
    ]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(readings).toEqual([
      {
        replica: 'self',
        lagSeconds: null,
        healthy: false,
        detail: expect.stringMatching(/self is not a replica/),
      },
      {
        replica: 'nowhere',
        lagSeconds: null,
        healthy: false,
        detail: expect.stringMatching(/nowhere: cannot connect/),
      },
    ]);
  });
});

describe('withSession', () => {
  const settings = async (q: { query: Database['query'] }) =>
    (
      await q.query<{ lock: string; statement: string; tx: string }>(
        "SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement, pg_current_xact_id_if_assigned()::text AS tx",
      )
    ).rows[0];

  it('sets the session timeouts inside, outside any transaction, and resets them afterwards on the same connection', async () => {
    const single = adapter({ poolSize: 1 });
    const before = await settings(single);
    let pid = 0;
    const inside = await single.withSession(
      { lockTimeoutMs: 1234, statementTimeoutMs: 56_000 },
      async (s) => {
        pid = s.connectionId;
        const read = await settings(s);
        // A statement a transaction forbids runs, so the session is in autocommit.
        await s.query('CREATE INDEX CONCURRENTLY items_val_idx ON items (val)');
        return read;
      },
    );
    expect(inside).toMatchObject({ lock: '1234ms', statement: '56s' });
    const after = (
      await single.query<{ pid: number; lock: string; statement: string }>(
        "SELECT pg_backend_pid() AS pid, current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement",
      )
    ).rows[0];
    expect(after).toEqual({ pid, lock: before?.lock, statement: before?.statement });
    const { rows } = await db.query<{ valid: boolean }>(
      "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'items_val_idx'",
    );
    expect(rows).toEqual([{ valid: true }]);
  });

  it('gives up on a held lock within its lock timeout, and a terminated session is not reused', async () => {
    const single = adapter({ poolSize: 1 });
    const holder = await sideClient();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
    try {
      const err = await dbErrorOf(
        single.withSession({ lockTimeoutMs: 100, statementTimeoutMs: 10_000 }, (s) =>
          s.query('CREATE INDEX CONCURRENTLY items_val_idx2 ON items (val)'),
        ),
      );
      expect(err.kind).toBe('lock-timeout');
    } finally {
      await holder.query('ROLLBACK');
    }
    let killed = 0;
    await dbErrorOf(
      single.withSession({ lockTimeoutMs: 100, statementTimeoutMs: 10_000 }, async (s) => {
        killed = s.connectionId;
        await holder.query('SELECT pg_terminate_backend($1)', [killed]);
        await s.query('SELECT 1');
      }),
    );
    const { rows } = await single.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(rows[0]?.pid).not.toBe(killed);
  });
});
