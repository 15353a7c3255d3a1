import net from 'node:net';

/**
 * The test PostgreSQL trusts every local connection, so it never refuses a password. This proxy
 * in front of it asks the client for a cleartext password, answers a wrong one as PostgreSQL does
 * (FATAL 28P01 invalid_password), and pipes a right one through to the real server.
 */
export interface PasswordProxy {
  readonly port: number;
  /** The password the proxy accepts; change it to rotate. */
  password: string;
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const SSL_REQUEST = 80877103;
const AUTH_CLEARTEXT = message('R', Buffer.from([0, 0, 0, 3]));

function invalidPassword(user: string): Buffer {
  const field = (code: string, text: string) => Buffer.from(`${code}${text}\0`);
  return message(
    'E',
    Buffer.concat([
      field('S', 'FATAL'),
      field('V', 'FATAL'),
      field('C', '28P01'),
      field('M', `password authentication failed for user "${user}"`),
      Buffer.from([0]),
    ]),
  );
}

function startupUser(startup: Buffer): string {
  const parts = startup.subarray(8).toString('utf8').split('\0');
  const at = parts.indexOf('user');
  return at >= 0 ? (parts[at + 1] ?? '') : '';
}

export async function startPasswordProxy(
  target: { host: string; port: number },
  password: string,
): Promise<PasswordProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: PasswordProxy = { port: 0, password, close: async () => undefined };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let startup: Buffer | undefined;
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!startup) {
        if (buffered.length < 8) return;
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return;
        const packet = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        if (packet.readInt32BE(4) === SSL_REQUEST) {
          client.write('N');
          return onData(Buffer.alloc(0));
        }
        startup = Buffer.from(packet);
        client.write(AUTH_CLEARTEXT);
      }
      if (buffered.length < 5) return;
      const length = buffered.readInt32BE(1);
      if (buffered.length < 1 + length) return;
      const given = buffered.subarray(5, 1 + length - 1).toString('utf8');
      const rest = buffered.subarray(1 + length);
      client.off('data', onData);
      if (buffered[0] !== 'p'.charCodeAt(0) || given !== proxy.password) {
        client.end(invalidPassword(startupUser(startup)));
        return;
      }
      const upstream = net.connect(target.port, target.host, () => {
        upstream.write(startup!);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(proxy, {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
