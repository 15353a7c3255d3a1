import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/types';
import { ConnectionConfigError, lambdaConnections, urlConnections } from '../../src/runtime/connections';

/** Records the URLs the driver would get, instead of connecting. */
function recorder() {
  const opened: string[] = [];
  let closed = 0;
  const open = (url: string) => {
    opened.push(url);
    return { close: async () => void closed++ } as unknown as Database;
  };
  return { opened, open, closed: () => closed };
}

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/orders-AbCdEf';

describe('connection resolution', () => {
  it('locally, opens each URL once and names the missing connection', async () => {
    const r = recorder();
    const connections = urlConnections(
      {
        main: 'postgres://u@h/db',
        other: { url: 'mysql://u@h/db', replicas: [{ name: 'r1', url: 'mysql://u@r/db' }] },
      },
      r.open,
    );
    const a = await connections.open('main');
    expect(await connections.open('main')).toBe(a);
    expect(r.opened).toEqual(['postgres://u@h/db']);
    expect(await connections.replicas('other')).toEqual([{ name: 'r1', url: 'mysql://u@r/db' }]);
    await expect(connections.open('nope')).rejects.toThrow(ConnectionConfigError);
    await expect(connections.open('nope')).rejects.toThrow(
      /no database URL for connection 'nope' \(known: main, other\)/,
    );
    await connections.close();
    expect(r.closed()).toBe(1);
  });

  it('on Lambda, builds TLS URLs from the RDS secret, escaping the password, and opens the pool once', async () => {
    const r = recorder();
    let reads = 0;
    const connections = lambdaConnections(
      {
        primary: {
          engine: 'postgres',
          host: 'orders.example.internal',
          port: 5432,
          database: 'orders',
          secretArn: SECRET,
          replicas: [{ name: 'reader-1', host: 'reader.example.internal', port: 5433 }],
        },
      },
      {
        secretString: async () => {
          reads++;
          return JSON.stringify({ username: 'lowtide', password: 'p@ss/w:rd#1' });
        },
        iamToken: async () => {
          throw new Error('not used');
        },
      },
      { open: r.open },
    );
    await connections.open('primary');
    await connections.open('primary');
    expect(r.opened).toEqual([
      'postgres://lowtide:p%40ss%2Fw%3Ard%231@orders.example.internal:5432/orders?sslmode=verify-full',
    ]);
    const [replica] = await connections.replicas('primary');
    expect(replica).toEqual({
      name: 'reader-1',
      url: 'postgres://lowtide:p%40ss%2Fw%3Ard%231@reader.example.internal:5433/orders?sslmode=verify-full',
    });
    expect(reads).toBe(2);
  });

  it('on Lambda, signs an IAM token and reopens the pool before the token would expire', async () => {
    const r = recorder();
    let clock = 0;
    let tokens = 0;
    const connections = lambdaConnections(
      {
        sessions: {
          engine: 'mysql',
          host: 'sessions.example.internal',
          port: 3306,
          database: 'identity',
          iamAuthUser: 'lowtide',
        },
      },
      {
        secretString: async () => {
          throw new Error('not used');
        },
        iamToken: async ({ host, port, user }) => `token-${++tokens}-${user}@${host}:${port}`,
      },
      { open: r.open, now: () => clock },
    );
    await connections.open('sessions');
    clock += 5 * 60_000;
    await connections.open('sessions');
    expect(r.opened).toHaveLength(1);
    expect(r.opened[0]).toBe(
      'mysql://lowtide:token-1-lowtide%40sessions.example.internal%3A3306@sessions.example.internal:3306/identity?ssl=true&auth=iam',
    );
    clock += 6 * 60_000;
    await connections.open('sessions');
    expect(r.opened).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.closed()).toBe(1);
  });

  it('never puts a secret it cannot parse into an error message', async () => {
    const connections = lambdaConnections(
      { primary: { engine: 'postgres', host: 'h', port: 5432, database: 'd', secretArn: SECRET } },
      { secretString: async () => 'hunter2-not-json', iamToken: async () => '' },
      { open: recorder().open },
    );
    const error = await connections.open('primary').catch((e: Error) => e);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect(String((error as Error).message)).not.toMatch(/hunter2/);
  });
});
