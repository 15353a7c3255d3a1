import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { LoopbackCertificate } from './certificate';

export type FrontDoorEngine = 'postgres' | 'mysql';

export interface FrontDoor {
  readonly engine: FrontDoorEngine;
  readonly host: string;
  readonly port: number;
  /** Sessions that negotiated TLS, and sessions that did not (RDS with TLS enforced would refuse those). */
  readonly sessions: { tls: number; plain: number };
  close(): Promise<void>;
}

/**
 * A TLS endpoint in front of a database server that has none, as RDS has one: the functions
 * connect with the TLS settings they use on AWS and verify this endpoint's certificate; behind it,
 * bytes go to the real server in the clear. It terminates TLS inside each engine's own protocol
 * (PostgreSQL's SSLRequest, MySQL's SSL capability in the handshake) and changes nothing else.
 */
export async function startFrontDoor(
  engine: FrontDoorEngine,
  backend: { host: string; port: number },
  certificate: LoopbackCertificate,
  port = 0,
): Promise<FrontDoor> {
  const sessions = { tls: 0, plain: 0 };
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };
  // TLS over a stream the session feeds, not over the socket itself: bytes of the TLS handshake
  // may already have arrived with the request to start it, and they must reach TLS first.
  const upgrade = (socket: Socket, early: Buffer): TLSSocket => {
    const carrier = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        socket.write(chunk, done);
      },
      final(done) {
        socket.end();
        done();
      },
    });
    socket.on('data', (chunk: Buffer) => carrier.push(chunk));
    socket.once('end', () => carrier.push(null));
    if (early.length > 0) carrier.push(early);
    const secure = new TLSSocket(carrier, {
      isServer: true,
      key: certificate.keyPem,
      cert: certificate.certPem,
    });
    secure.on('error', () => socket.destroy());
    socket.once('close', () => secure.destroy());
    return secure;
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = track(connect(backend.port, backend.host));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', closeBoth);
    upstream.once('close', closeBoth);
    if (engine === 'postgres') postgresSession(client, upstream, upgrade, sessions);
    else mysqlSession(client, upstream, upgrade, sessions);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    engine,
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    sessions,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Upgrade = (socket: Socket, early: Buffer) => TLSSocket;

// "Message Flow: SSL Session Encryption" (PostgreSQL documentation, Frontend/Backend Protocol):
// the client sends SSLRequest (length 8, code 80877103), the server answers one byte 'S', and the
// TLS handshake follows; GSSENCRequest (80877104) is answered 'N'.
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

function postgresSession(
  client: Socket,
  upstream: Socket,
  upgrade: Upgrade,
  sessions: { tls: number; plain: number },
): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < 8) return;
    const length = buffered.readInt32BE(0);
    const code = buffered.readInt32BE(4);
    if (length === 8 && code === GSSENC_REQUEST) {
      buffered = buffered.subarray(8);
      client.write('N');
      if (buffered.length > 0) onData(Buffer.alloc(0));
      return;
    }
    client.off('data', onData);
    if (length === 8 && code === SSL_REQUEST) {
      sessions.tls++;
      client.write('S');
      const secure = upgrade(client, buffered.subarray(8));
      secure.pipe(upstream);
      upstream.pipe(secure);
      return;
    }
    sessions.plain++;
    upstream.write(buffered);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  client.on('data', onData);
}

// "Protocol::SSLRequest" and "Protocol::HandshakeV10" (MySQL Source Code Documentation, Client/
// Server Protocol): the server's greeting offers CLIENT_SSL; a client that wants TLS answers with
// a 32-byte SSLRequest (sequence 1), upgrades, and sends its HandshakeResponse (sequence 2).
const CLIENT_SSL = 0x800;

/** MySQL packets: a 3-byte length, a sequence id, the payload. */
function* packets(buffer: Buffer): Generator<{ packet: Buffer; end: number }> {
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readUIntLE(offset, 3);
    if (buffer.length - offset < 4 + length) return;
    yield { packet: buffer.subarray(offset, offset + 4 + length), end: offset + 4 + length };
    offset += 4 + length;
  }
}

/** Collects whole packets from a stream; `rest` is what arrived after the last whole one. */
function packetReader(onPacket: (packet: Buffer) => boolean) {
  let buffered = Buffer.alloc(0);
  return (chunk: Buffer): Buffer | undefined => {
    buffered = Buffer.concat([buffered, chunk]);
    let consumed = 0;
    for (const { packet, end } of packets(buffered)) {
      consumed = end;
      if (!onPacket(Buffer.from(packet))) {
        const rest = buffered.subarray(consumed);
        buffered = Buffer.alloc(0);
        return rest;
      }
    }
    buffered = buffered.subarray(consumed);
    return undefined;
  };
}

function mysqlSession(
  client: Socket,
  upstream: Socket,
  upgrade: Upgrade,
  sessions: { tls: number; plain: number },
): void {
  // 1. The server's greeting, forwarded with CLIENT_SSL offered.
  const greeting = packetReader((packet) => {
    const versionEnd = packet.indexOf(0, 5);
    // protocol version (1), server version (NUL-terminated), thread id (4), auth data (8), filler (1)
    const flagsAt = versionEnd + 1 + 4 + 8 + 1;
    packet.writeUInt16LE(packet.readUInt16LE(flagsAt) | CLIENT_SSL, flagsAt);
    client.write(packet);
    return false;
  });
  const onGreeting = (chunk: Buffer) => {
    const rest = greeting(chunk);
    if (rest === undefined) return;
    upstream.off('data', onGreeting);
    upstream.pause();
    if (rest.length > 0) upstream.unshift(rest);
    client.on('data', onFirstReply);
  };
  upstream.on('data', onGreeting);

  // 2. The client's first packet: an SSLRequest, or (without TLS) its HandshakeResponse.
  let first: Buffer | undefined;
  const firstReply = packetReader((packet) => {
    first = packet;
    return false;
  });
  const onFirstReply = (chunk: Buffer) => {
    const rest = firstReply(chunk);
    if (rest === undefined || !first) return;
    client.off('data', onFirstReply);
    const payloadLength = first.readUIntLE(0, 3);
    if (payloadLength === 32 && first.readUInt32LE(4) & CLIENT_SSL) {
      sessions.tls++;
      relayAuthentication(upgrade(client, rest), upstream);
      return;
    }
    sessions.plain++;
    upstream.write(Buffer.concat([first, rest]));
    client.pipe(upstream);
    upstream.resume();
    upstream.pipe(client);
  };
}

/**
 * After the upgrade, the client numbers its packets one past what the server expects (the
 * SSLRequest took sequence 1, which the server never saw): until authentication ends, packets to
 * the server go one lower and packets to the client one higher, and the CLIENT_SSL flag the
 * server never offered is taken out of the HandshakeResponse. Then both sides pipe unchanged.
 */
function relayAuthentication(secure: TLSSocket, upstream: Socket): void {
  let first = true;
  let authenticated = false;
  const fromClient = packetReader((packet) => {
    if (first) {
      first = false;
      packet.writeUInt32LE(packet.readUInt32LE(4) & ~CLIENT_SSL, 4);
    }
    packet[3] = packet[3]! - 1;
    upstream.write(packet);
    return !authenticated;
  });
  const fromServer = packetReader((packet) => {
    packet[3] = packet[3]! + 1;
    secure.write(packet);
    // OK (0x00) or ERR (0xff) ends authentication; 0x01 (more data) and 0xfe (switch) continue it.
    const kind = packet[4];
    if (kind === 0x00 || kind === 0xff) authenticated = true;
    return !authenticated;
  });
  // The client sends nothing but handshake packets until the server's OK reaches it.
  const onClient = (chunk: Buffer) => {
    fromClient(chunk);
  };
  const onServer = (chunk: Buffer) => {
    const rest = fromServer(chunk);
    if (rest === undefined) return;
    upstream.off('data', onServer);
    if (rest.length > 0) secure.write(rest);
    upstream.pipe(secure);
    secure.off('data', onClient);
    secure.pipe(upstream);
  };
  secure.on('data', onClient);
  upstream.on('data', onServer);
  upstream.resume();
}
