import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

/**
 * A MySQL server that speaks only the handshake, the way RDS does for an IAM user: greeting with
 * mysql_native_password, then an AuthSwitchRequest to mysql_clear_password, then OK. It records
 * what the client sent in answer to the switch, and whether the connection was TLS by then.
 */
export interface FakeMysqlAuthServer {
  readonly port: number;
  /** The CA (the server's self-signed certificate) a client must trust. */
  readonly ca: string;
  /** One entry per client that answered the switch. */
  readonly switchAnswers: Array<{ readonly overTls: boolean; readonly payload: Buffer }>;
  /** Resolves with the next client's answer to the switch (or when it hangs up without one). */
  nextAnswer(): Promise<{ overTls: boolean; payload: Buffer } | 'hung-up'>;
  close(): Promise<void>;
}

// Capability flags (MySQL client/server protocol).
const CLIENT_SSL = 0x800;
const CAPABILITIES_LOW = 0xffff & ~CLIENT_SSL;
const CAPABILITIES_HIGH = 0x000f; // multi statements/results, PS multi results, plugin auth

function packet(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = seq & 0xff;
  return Buffer.concat([header, payload]);
}

/** Protocol::HandshakeV10, announcing mysql_native_password as RDS does before it switches. */
function greeting(withTls: boolean): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32LE(7);
  const flags = Buffer.alloc(2 + 1 + 2 + 2 + 1 + 10);
  flags.writeUInt16LE(CAPABILITIES_LOW | (withTls ? CLIENT_SSL : 0), 0);
  flags[2] = 0x21; // utf8_general_ci
  flags.writeUInt16LE(0x0002, 3); // autocommit
  flags.writeUInt16LE(CAPABILITIES_HIGH, 5);
  flags[7] = 21; // length of the scramble, with its terminator
  return Buffer.concat([
    Buffer.from([0x0a]),
    Buffer.from('8.0.36-fake\0'),
    id,
    Buffer.from('abcdefgh'),
    Buffer.from([0]),
    flags,
    Buffer.from('ijklmnopqrst\0'),
    Buffer.from('mysql_native_password\0'),
  ]);
}

const OK = Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]);

/** Reads whole packets off a stream. */
class PacketReader {
  private buffered = Buffer.alloc(0);
  private waiters: Array<(p: { seq: number; payload: Buffer }) => void> = [];
  private ready: Array<{ seq: number; payload: Buffer }> = [];
  push(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUIntLE(0, 3);
      if (this.buffered.length < 4 + length) break;
      const p = { seq: this.buffered[3]!, payload: this.buffered.subarray(4, 4 + length) };
      this.buffered = this.buffered.subarray(4 + length);
      const waiter = this.waiters.shift();
      if (waiter) waiter(p);
      else this.ready.push(p);
    }
  }
  /** Bytes received past the last whole packet (a TLS ClientHello right behind an SSLRequest). */
  rest(): Buffer {
    return this.buffered;
  }
  next(): Promise<{ seq: number; payload: Buffer }> {
    const p = this.ready.shift();
    if (p) return Promise.resolve(p);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lowtide-fake-mysql-'));
  try {
    const result = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startFakeMysqlAuthServer(options: { tls: boolean }): Promise<FakeMysqlAuthServer> {
  const { key, cert } = selfSignedCertificate();
  const switchAnswers: FakeMysqlAuthServer['switchAnswers'] = [];
  const listeners: Array<(a: { overTls: boolean; payload: Buffer } | 'hung-up') => void> = [];
  const report = (a: { overTls: boolean; payload: Buffer } | 'hung-up') => {
    if (a !== 'hung-up') switchAnswers.push(a);
    listeners.shift()?.(a);
  };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    let answered = false;
    socket.on('close', () => {
      sockets.delete(socket);
      if (!answered) report('hung-up');
    });
    socket.on('error', () => undefined);
    void (async () => {
      let stream: net.Socket | tls.TLSSocket = socket;
      let reader = new PacketReader();
      const onData = (chunk: Buffer) => reader.push(chunk);
      socket.on('data', onData);
      socket.write(packet(0, greeting(options.tls)));
      let response = await reader.next();
      // A 32-byte response is an SSLRequest: the rest of the handshake runs over TLS.
      if (response.payload.length === 32 && options.tls) {
        socket.off('data', onData);
        socket.pause();
        const rest = reader.rest();
        if (rest.length > 0) socket.unshift(rest);
        const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
        secure.on('error', () => undefined);
        reader = new PacketReader();
        secure.on('data', (chunk: Buffer) => reader.push(chunk));
        stream = secure;
        response = await reader.next();
      }
      const overTls = stream instanceof tls.TLSSocket;
      stream.write(
        packet(response.seq + 1, Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_clear_password\0')])),
      );
      const answer = await reader.next();
      answered = true;
      report({ overTls, payload: Buffer.from(answer.payload) });
      stream.write(packet(answer.seq + 1, OK));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    ca: cert,
    switchAnswers,
    nextAnswer: () => new Promise((resolve) => listeners.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
