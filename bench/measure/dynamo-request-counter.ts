import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoRequestCounter {
  /** Hand this to the local runtime instead of DynamoDB's own endpoint. */
  readonly endpoint: string;
  /** Requests by operation (`GetItem`, `UpdateItem`, ...). */
  counts(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Counts the control store's DynamoDB requests by operation on their way to the local DynamoDB,
 * for the cost on paper (on-demand tables bill per request unit).
 */
export async function startDynamoRequestCounter(target: string): Promise<DynamoRequestCounter> {
  const upstream = new URL(target);
  const counts: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const operation =
      String(req.headers['x-amz-target'] ?? 'unknown')
        .split('.')
        .pop() ?? 'unknown';
    counts[operation] = (counts[operation] ?? 0) + 1;
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', (error) => {
      res.writeHead(502);
      res.end(error.message);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
