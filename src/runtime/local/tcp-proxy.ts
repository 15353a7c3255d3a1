import net from 'node:net';

/** What a proxy may watch of one connection's bytes (never change): the bench's protocol readers. */
export interface ConnectionTap {
  fromClient?(chunk: Buffer): void;
  fromServer?(chunk: Buffer): void;
}

export interface TcpProxyOptions {
  readonly target: { readonly host: string; readonly port: number };
  /**
   * Added to each round trip: every chunk from the client is held this long, on average, before it
   * goes on to the server (the reply direction is not delayed, so one round trip pays it once).
   * Default 0. Chunks keep their order; holding one does not hold back the others beyond their own delay.
   */
  readonly roundTripDelayMs?: number;
  /** Called once per accepted connection. */
  readonly tap?: () => ConnectionTap;
}

export interface TcpProxy {
  /** Where clients connect instead of the server (on 127.0.0.1). */
  readonly port: number;
  /** Chunks from clients charged the delay (each round trip sends at least one). */
  delayedChunks(): number;
  close(): Promise<void>;
}

/** Node's timers fire no sooner than about this: a shorter delay is owed and waited with a later chunk. */
const TIMER_RESOLUTION_MS = 1;
/**
 * The most a late timer is paid back by letting later chunks through early. Rounding up to the
 * timer's resolution is paid back; a longer stall of the event loop is the machine's, and slows
 * direct connections alike.
 */
const MAX_CREDIT_MS = 2 * TIMER_RESOLUTION_MS;

/**
 * Delays chunks by `delayMs` each on average, in arrival order. Each chunk is charged the delay;
 * what a timer cannot wait (below its resolution) or waits too long is carried to the next chunks,
 * so a 0.5 ms delay costs 0.5 ms a round trip over many, not the 1 ms or more a timer would take.
 */
function delayedWriter(socket: net.Socket, delayMs: number, onDelayed: () => void) {
  const queue: { arrived: number; plannedMs: number; due: number; chunk: Buffer }[] = [];
  // Delay charged and not yet waited; negative when timers waited more than was charged.
  let owed = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now) {
      const { arrived, plannedMs, chunk } = queue.shift()!;
      owed = Math.max(owed - (now - arrived - plannedMs), -MAX_CREDIT_MS);
      socket.write(chunk);
    }
    arm();
  };
  const arm = () => {
    if (timer !== undefined || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.due - performance.now()));
  };
  return {
    write(chunk: Buffer) {
      if (delayMs <= 0) {
        socket.write(chunk);
        return;
      }
      onDelayed();
      owed += delayMs;
      const now = performance.now();
      if (queue.length === 0 && owed < TIMER_RESOLUTION_MS) {
        socket.write(chunk);
        return;
      }
      // Never ahead of a chunk still held: the bytes of a stream keep their order.
      const due = Math.max(now + Math.max(owed, 0), queue.at(-1)?.due ?? 0);
      const plannedMs = due - now;
      owed -= plannedMs;
      queue.push({ arrived: now, plannedMs, due, chunk });
      arm();
    },
    stop() {
      clearTimeout(timer);
      queue.length = 0;
    },
  };
}

/**
 * A TCP proxy on 127.0.0.1 in front of one server: the local runtime's stand-in for the network
 * between a Lambda function and its database (there is no root here for netem), and the bench's
 * way into a program's protocol. It forwards bytes unchanged, TLS included.
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const { target } = options;
  const delayMs = options.roundTripDelayMs ?? 0;
  let delayed = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    // A held chunk must not then wait for Nagle's algorithm as well.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const tap = options.tap?.() ?? {};
    const toServer = delayedWriter(upstream, delayMs, () => delayed++);
    client.on('data', (chunk) => {
      tap.fromClient?.(chunk);
      toServer.write(chunk);
    });
    upstream.on('data', (chunk) => {
      tap.fromServer?.(chunk);
      client.write(chunk);
    });
    const closeBoth = () => {
      toServer.stop();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', closeBoth);
      socket.on('error', closeBoth);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    delayedChunks: () => delayed,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
