import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import { AuthenticationFailedError } from '../../src/db/reauthenticating-database';
import type { Database } from '../../src/db/types';
import { type CredentialSources, lambdaConnections } from '../../src/runtime/connections';
import { createTestDatabase, ENGINES, type TestDatabase, type TestEngine } from '../support/databases';
import { type PasswordProxy, startPasswordProxy } from '../support/password-proxy';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/rotating-AbCdEf';

/**
 * A local credential source that behaves like the Lambda's: it caches the secret and reads it
 * anew only when asked to refresh. `reads` records each read and whether it was a refresh.
 */
function localSecretSource(initial: { username: string; password: string }) {
  let stored = initial;
  let cached: string | undefined;
  const reads: boolean[] = [];
  const sources: CredentialSources = {
    async secretString(arn, options) {
      expect(arn).toBe(SECRET_ARN);
      reads.push(options?.refresh ?? false);
      if (!cached || options?.refresh) cached = JSON.stringify(stored);
      return cached;
    },
    iamToken: async () => {
      throw new Error('not used');
    },
  };
  return {
    sources,
    reads,
    rotate: (password: string) => {
      stored = { ...stored, password };
    },
  };
}

/** The local servers have no TLS: drop the URL's TLS setting, keep everything else lowtide built. */
const openWithoutTls = (url: string) =>
  openDatabase(url.replace(/\?ssl=true$/, '').replace(/\?sslmode=verify-full$/, ''), { poolSize: 2 });

/** Two calls at once: the first takes the pool's open connection, the second needs a new one. */
async function twoCallsAtOnce(engine: TestEngine, db: Database): Promise<unknown[]> {
  const sleep = engine === 'postgres' ? 'SELECT pg_sleep(0.3) AS s' : 'SELECT SLEEP(0.3) AS s';
  return Promise.all([db.query(sleep), db.query('SELECT 2 AS n')]);
}

/** A database user whose password the test changes, on the engine's real server. */
interface RotatingUser {
  readonly name: string;
  /** Where lowtide connects for this user. */
  readonly port: number;
  setPassword(password: string): Promise<void>;
  drop(): Promise<void>;
}

async function mariadbUser(database: TestDatabase, name: string): Promise<RotatingUser> {
  const admin = await mysql.createConnection({ uri: database.url });
  const hosts = ['%', 'localhost', '127.0.0.1'];
  for (const host of hosts) {
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [name, host, 'first-password']);
    await admin.query(`GRANT SELECT ON ${database.name}.* TO ?@?`, [name, host]);
  }
  return {
    name,
    port: Number(new URL(database.url).port || 3306),
    async setPassword(password) {
      for (const host of hosts) await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [name, host, password]);
    },
    async drop() {
      for (const host of hosts) await admin.query('DROP USER IF EXISTS ?@?', [name, host]);
      await admin.end();
    },
  };
}

/** A PostgreSQL role behind the password-checking proxy (the local server trusts every login). */
async function postgresUser(database: TestDatabase, name: string): Promise<RotatingUser> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD 'first-password'`);
  await admin.query(`GRANT CONNECT ON DATABASE ${database.name} TO ${name}`);
  const server = new URL(database.url);
  const proxy: PasswordProxy = await startPasswordProxy(
    { host: server.hostname, port: Number(server.port || 5432) },
    'first-password',
  );
  return {
    name,
    port: proxy.port,
    async setPassword(password) {
      await admin.query(`ALTER ROLE ${name} PASSWORD '${password}'`);
      proxy.password = password;
    },
    async drop() {
      await proxy.close();
      await admin.query(`REVOKE CONNECT ON DATABASE ${database.name} FROM ${name}`);
      await admin.query(`DROP ROLE IF EXISTS ${name}`);
      // End this session before the database is dropped: DROP DATABASE ... WITH (FORCE) would end it.
      await admin.end();
      await database.drop();
    },
  };
}

describe.each(ENGINES)('a rotated secret on %s', (engine) => {
  let database: TestDatabase;
  let user: RotatingUser;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const name = `lt_rot_${randomBytes(3).toString('hex')}`;
    user = engine === 'postgres' ? await postgresUser(database, name) : await mariadbUser(database, name);
  });

  afterAll(async () => {
    await user?.drop();
    if (engine === 'mysql') await database?.drop();
  });

  it('drops the pool and re-reads the secret once; a wrong secret after the re-read fails clearly', async () => {
    const secret = localSecretSource({ username: user.name, password: 'first-password' });
    const connections = lambdaConnections(
      {
        main: { engine, host: '127.0.0.1', port: user.port, database: database.name, secretArn: SECRET_ARN },
      },
      secret.sources,
      { open: openWithoutTls },
    );
    try {
      const db = await connections.open('main');
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      expect(secret.reads).toEqual([false]);

      // Rotation: the database and the secret get the new password; the pool still has the old one.
      await user.setPassword('second-password');
      secret.rotate('second-password');
      const [, second] = await twoCallsAtOnce(engine, db);
      expect((second as { rows: unknown[] }).rows).toEqual([{ n: 2 }]);
      expect(secret.reads).toEqual([false, true]);
      // The same Database keeps working on the new pool.
      expect((await db.query<{ n: number }>('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);

      // The secret is wrong even after a re-read: one refresh, then a clear error, no loop.
      await user.setPassword('third-password');
      secret.rotate('not-the-password');
      const failed = await twoCallsAtOnce(engine, db).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(AuthenticationFailedError);
      expect((failed as Error).message).toMatch(
        /^connection 'main': the database refused the credentials again after they were read anew \(.*(Access denied|password authentication failed).*\); fix the secret's username and password, or the database user$/,
      );
      expect((failed as Error).message).not.toContain('not-the-password');
      expect(secret.reads).toEqual([false, true, true]);
    } finally {
      await connections.close();
    }
  });
});
