import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { type CredentialSources, lambdaConnections } from '../../src/runtime/connections';
import { AuthenticationFailedError } from '../../src/runtime/reauthenticating-database';
import { createTestDatabase, type TestDatabase } from '../support/databases';

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
async function twoCallsAtOnce(db: Database): Promise<unknown[]> {
  return Promise.all([db.query('SELECT SLEEP(0.3) AS s'), db.query('SELECT 2 AS n')]);
}

describe('a rotated MariaDB secret', () => {
  let database: TestDatabase;
  let admin: mysql.Connection;
  const user = `lt_rot_${randomBytes(3).toString('hex')}`;
  const hosts = ['%', 'localhost', '127.0.0.1'];

  beforeAll(async () => {
    database = await createTestDatabase('mysql');
    admin = await mysql.createConnection({ uri: database.url });
    for (const host of hosts) {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, 'first-password']);
      await admin.query(`GRANT SELECT ON ${database.name}.* TO ?@?`, [user, host]);
    }
  });

  afterAll(async () => {
    for (const host of hosts) await admin?.query('DROP USER IF EXISTS ?@?', [user, host]);
    await admin?.end();
    await database?.drop();
  });

  async function setPassword(password: string): Promise<void> {
    for (const host of hosts) await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
  }

  it('drops the pool and re-reads the secret once; a wrong secret after the re-read fails clearly', async () => {
    const secret = localSecretSource({ username: user, password: 'first-password' });
    const connections = lambdaConnections(
      {
        main: {
          engine: 'mysql',
          host: '127.0.0.1',
          port: 3306,
          database: database.name,
          secretArn: SECRET_ARN,
        },
      },
      secret.sources,
      { open: openWithoutTls },
    );
    try {
      const db = await connections.open('main');
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      expect(secret.reads).toEqual([false]);

      // Rotation: the database and the secret get the new password; the pool still has the old one.
      await setPassword('second-password');
      secret.rotate('second-password');
      const [, second] = await twoCallsAtOnce(db);
      expect((second as { rows: unknown[] }).rows).toEqual([{ n: 2 }]);
      expect(secret.reads).toEqual([false, true]);
      // The same Database keeps working on the new pool.
      expect((await db.query<{ n: number }>('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);

      // The secret is wrong even after a re-read: one refresh, then a clear error, no loop.
      await setPassword('third-password');
      secret.rotate('not-the-password');
      const failed = await twoCallsAtOnce(db).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(AuthenticationFailedError);
      expect((failed as Error).message).toMatch(
        /^connection 'main': the database refused the credentials again after they were read anew \(.*Access denied.*\); fix the secret's username and password, or the database user$/,
      );
      expect((failed as Error).message).not.toContain('not-the-password');
      expect(secret.reads).toEqual([false, true, true]);
    } finally {
      await connections.close();
    }
  });
});
