import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../src/runtime/local';
import { createTestDatabase, type TestDatabase } from '../support/databases';

const DELAY_MS = 40;
const QUERIES = 5;
/** What may still be owed when a test stops counting: a timer's resolution or two. */
const SLACK_MS = 5;

function targetOf(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

interface Client {
  query(text: string): Promise<unknown[]>;
  close(): Promise<void>;
}

async function connect(engine: 'postgres' | 'mysql', url: string): Promise<Client> {
  if (engine === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return { query: async (t) => (await c.query(t)).rows, close: () => c.end() };
  }
  const c = await mysql.createConnection({ uri: url });
  return { query: async (t) => (await c.query(t))[0] as unknown[], close: () => c.end() };
}

function through(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}

/**
 * The proxy the AWS profile puts between lowtide's connections and the servers. It is checked by
 * counting what it held and by a lower bound on time only (a delay can only make things slower),
 * never by a tight timing.
 */
describe.each(['postgres', 'mysql'] as const)('the delaying TCP proxy in front of %s', (engine) => {
  let db: TestDatabase;
  let delayed: TcpProxy;
  let direct: TcpProxy;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    const target = targetOf(db.url);
    delayed = await startTcpProxy({ target, roundTripDelayMs: DELAY_MS });
    direct = await startTcpProxy({ target });
  });

  afterAll(async () => {
    await delayed?.close();
    await direct?.close();
    await db?.drop();
  });

  it('holds every round trip for the delay: each statement waits for it once', async () => {
    const client = await connect(engine, through(db.url, delayed));
    try {
      const chunksBefore = delayed.delayedChunks();
      const started = performance.now();
      for (let i = 1; i <= QUERIES; i++) {
        const rows = (await client.query(`SELECT ${i} AS n`)) as { n: unknown }[];
        expect(Number(rows[0]!.n)).toBe(i);
      }
      const elapsed = performance.now() - started;
      const held = delayed.delayedChunks() - chunksBefore;
      // Each statement is one round trip: at least one chunk held, and a driver sends one per query.
      expect(held).toBeGreaterThanOrEqual(QUERIES);
      expect(held).toBeLessThanOrEqual(QUERIES * 2);
      // Timers may fire up to a millisecond early; what they miss is owed to the next chunk.
      expect(elapsed).toBeGreaterThanOrEqual(QUERIES * DELAY_MS - SLACK_MS);
    } finally {
      await client.close();
    }
  });

  it('pays a delay below the timer resolution on average: half a millisecond a round trip over many', async () => {
    const fine = await startTcpProxy({ target: targetOf(db.url), roundTripDelayMs: 0.5 });
    const client = await connect(engine, through(db.url, fine));
    try {
      const chunksBefore = fine.delayedChunks();
      const started = performance.now();
      for (let i = 0; i < 200; i++) await client.query('SELECT 1 AS n');
      const elapsed = performance.now() - started;
      expect(fine.delayedChunks() - chunksBefore).toBeGreaterThanOrEqual(200);
      // 200 round trips charged 0.5 ms each: 100 ms waited in all, less at most what is still owed.
      expect(elapsed).toBeGreaterThanOrEqual(200 * 0.5 - SLACK_MS);
    } finally {
      await client.close();
      await fine.close();
    }
  });

  it('passes a large result through whole and in order, and a transaction commits through it', async () => {
    const client = await connect(engine, through(db.url, delayed));
    try {
      await client.query('CREATE TABLE latency_proxy_t (id int PRIMARY KEY, v int NOT NULL)');
      await client.query('BEGIN');
      await client.query('INSERT INTO latency_proxy_t VALUES (1, 10), (2, 20), (3, 30)');
      await client.query('UPDATE latency_proxy_t SET v = v + 1 WHERE id = 2');
      await client.query('COMMIT');
      const series =
        engine === 'postgres'
          ? "SELECT g AS n, repeat('x', 50) AS pad FROM generate_series(1, 50000) AS g ORDER BY g"
          : "SELECT seq AS n, REPEAT('x', 50) AS pad FROM seq_1_to_50000 ORDER BY seq";
      const rows = (await client.query(series)) as { n: unknown }[];
      expect(rows).toHaveLength(50_000);
      expect(rows.every((r, i) => Number(r.n) === i + 1)).toBe(true);
    } finally {
      await client.close();
    }
    const check = await connect(engine, through(db.url, direct));
    try {
      const rows = (await check.query('SELECT id, v FROM latency_proxy_t ORDER BY id')) as {
        id: unknown;
        v: unknown;
      }[];
      expect(rows.map((r) => [Number(r.id), Number(r.v)])).toEqual([
        [1, 10],
        [2, 21],
        [3, 30],
      ]);
    } finally {
      await check.close();
    }
    // Without a delay nothing is held.
    expect(direct.delayedChunks()).toBe(0);
  });
});
