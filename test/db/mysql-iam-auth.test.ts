import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnectionOptions } from '../../src/db/mysql/connection-options';
import { type FakeMysqlAuthServer, startFakeMysqlAuthServer } from '../support/fake-mysql-auth-server';

const TOKEN = 'rds-iam-token-Signature=abc123';

/**
 * RDS for MySQL and MariaDB answer an IAM user's login with an AuthSwitchRequest to
 * mysql_clear_password. The fake server below does exactly that, over TLS or not.
 */
describe('MySQL with IAM database authentication', () => {
  let tlsServer: FakeMysqlAuthServer;
  let plainServer: FakeMysqlAuthServer;
  beforeAll(async () => {
    tlsServer = await startFakeMysqlAuthServer({ tls: true });
    plainServer = await startFakeMysqlAuthServer({ tls: false });
  });
  afterAll(async () => {
    await tlsServer?.close();
    await plainServer?.close();
  });

  /** What lowtide hands mysql2 for the URL, trusting the fake's self-signed certificate. */
  function options(url: string): mysql.ConnectionOptions {
    const o = mysqlConnectionOptions(url);
    return o.ssl ? { ...o, ssl: { ...(o.ssl as object), ca: tlsServer.ca } } : o;
  }

  it('sends the token through mysql_clear_password over TLS (auth=iam)', async () => {
    const answer = tlsServer.nextAnswer();
    const conn = await mysql.createConnection(
      options(
        `mysql://lowtide:${encodeURIComponent(TOKEN)}@localhost:${tlsServer.port}/identity?ssl=true&auth=iam`,
      ),
    );
    await conn.end().catch(() => conn.destroy());
    expect(await answer).toEqual({ overTls: true, payload: Buffer.from(`${TOKEN}\0`) });
  });

  it('without auth=iam mysql2 refuses the switch, over TLS too: the plugin is on only for IAM tokens', async () => {
    const answer = tlsServer.nextAnswer();
    await expect(
      mysql.createConnection(
        options(`mysql://lowtide:${encodeURIComponent(TOKEN)}@localhost:${tlsServer.port}/identity?ssl=true`),
      ),
    ).rejects.toMatchObject({ code: 'MYSQL_CLEAR_PASSWORD_NOT_ENABLED' });
    expect(await answer).toBe('hung-up');
  });

  it('refuses IAM authentication without TLS before connecting, and a plain connection never sends the password in clear', async () => {
    expect(() =>
      mysqlConnectionOptions(`mysql://lowtide:t@localhost:${plainServer.port}/identity?ssl=false&auth=iam`),
    ).toThrow(/IAM database authentication without TLS: .*add \?ssl=true/);
    expect(() =>
      mysqlConnectionOptions(`mysql://lowtide:t@localhost:${plainServer.port}/identity?auth=iam`),
    ).toThrow(/without TLS/);
    expect(() => mysqlConnectionOptions('mysql://u:p@localhost/db?ssl=true&auth=password')).toThrow(
      /the only value is auth=iam/,
    );
    const answer = plainServer.nextAnswer();
    await expect(
      mysql.createConnection(options(`mysql://lowtide:secret@localhost:${plainServer.port}/identity`)),
    ).rejects.toMatchObject({ code: 'MYSQL_CLEAR_PASSWORD_NOT_ENABLED' });
    expect(await answer).toBe('hung-up');
    expect(plainServer.switchAnswers).toEqual([]);
  });
});
