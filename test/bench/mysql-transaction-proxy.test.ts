import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MysqlTransactionProxy,
  startMysqlTransactionProxy,
} from '../../bench/measure/mysql-transaction-proxy';
import { createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * The proxy that times pt-archiver's transactions from its MySQL protocol, checked against
 * transactions whose length the test controls.
 */
describe('the MySQL transaction proxy', () => {
  let db: TestDatabase;
  let proxy: MysqlTransactionProxy;
  let conn: mysql.Connection;

  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    const url = new URL(db.url);
    proxy = await startMysqlTransactionProxy({ host: url.hostname, port: Number(url.port || 3306) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    conn = await mysql.createConnection({ uri: url.toString() });
    await conn.query('CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)');
    await conn.query('INSERT INTO t VALUES (1, 0), (2, 0)');
  });

  afterAll(async () => {
    await conn?.end();
    await proxy?.close();
    await db?.drop();
  });

  it('times a transaction from its first statement to the reply to its COMMIT, with autocommit off', async () => {
    const before = proxy.times();
    await conn.query('SET autocommit=0');
    await conn.query('SELECT v FROM t WHERE id = 1');
    await conn.query('SELECT SLEEP(0.3) AS s FROM t WHERE id = 1');
    await conn.query('DELETE FROM t WHERE id = 2');
    await conn.query('COMMIT');
    await conn.query('SELECT SLEEP(0.05) AS s FROM t WHERE id = 1');
    await conn.query('COMMIT');
    await conn.query('SET autocommit=1');
    const after = proxy.times();
    expect(after.transactions - before.transactions).toBe(2);
    expect(after.longestMs).toBeGreaterThanOrEqual(300);
    // Generous: two statements and a commit on a local server, around a 300 ms sleep.
    expect(after.longestMs).toBeLessThan(5000);
    const [rows] = await conn.query('SELECT COUNT(*) AS n FROM t');
    expect(Number((rows as { n: number }[])[0]!.n)).toBe(1);
  });

  it('counts each statement as its own transaction with autocommit on, and an explicit one from BEGIN', async () => {
    const before = proxy.times();
    await conn.query('UPDATE t SET v = v + 1 WHERE id = 1');
    await conn.query('SELECT v FROM t WHERE id = 1');
    await conn.query('START TRANSACTION');
    await conn.query('UPDATE t SET v = v + 1 WHERE id = 1');
    await conn.query('SELECT SLEEP(0.2) AS s FROM t WHERE id = 1');
    await conn.query('COMMIT');
    await conn.query('SELECT @@version');
    const after = proxy.times();
    expect(after.transactions - before.transactions).toBe(3);
    expect(after.totalMs - before.totalMs).toBeGreaterThanOrEqual(200);
  });
});
