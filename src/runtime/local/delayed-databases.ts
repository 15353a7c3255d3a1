import type { LocalDatabase } from '../connections';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
};

export interface DelayedDatabases {
  /** The same databases, each URL pointing at its proxy. */
  readonly databases: Readonly<Record<string, LocalDatabase>>;
  /** Chunks the proxies held on their way to the servers. */
  delayedChunks(): number;
  close(): Promise<void>;
}

/**
 * Puts a delaying proxy in front of every database URL (replicas included), one per server, and
 * points the URLs at them. A URL that names a host for TLS verification would no longer match it;
 * local databases are reached without TLS, which is what this is for.
 */
export async function delayDatabases(
  databases: Readonly<Record<string, LocalDatabase>>,
  roundTripDelayMs: number,
): Promise<DelayedDatabases> {
  const proxies = new Map<string, Promise<TcpProxy>>();
  const started: Promise<TcpProxy>[] = [];
  const running: TcpProxy[] = [];
  const through = async (raw: string, name: string): Promise<string> => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`database '${name}' is not a URL, so no latency proxy can stand in front of it`);
    }
    const scheme = url.protocol.replace(/:$/, '');
    const port = Number(url.port || DEFAULT_PORTS[scheme]);
    if (!port) throw new Error(`database '${name}': no port in its URL and none known for ${scheme}://`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const key = `${host}:${port}`;
    let proxy = proxies.get(key);
    if (!proxy) {
      proxy = startTcpProxy({ target: { host, port }, roundTripDelayMs }).then((p) => {
        running.push(p);
        return p;
      });
      proxies.set(key, proxy);
      started.push(proxy);
    }
    url.hostname = '127.0.0.1';
    url.port = String((await proxy).port);
    return url.toString();
  };
  const closeAll = async () => {
    const opened = await Promise.allSettled(started);
    await Promise.allSettled(opened.map((p) => (p.status === 'fulfilled' ? p.value.close() : undefined)));
  };
  try {
    const entries = await Promise.all(
      Object.entries(databases).map(async ([name, db]): Promise<[string, LocalDatabase]> => {
        if (typeof db === 'string') return [name, await through(db, name)];
        const replicas = db.replicas
          ? await Promise.all(
              db.replicas.map(async (r) => ({ ...r, url: await through(r.url, `${name}/${r.name}`) })),
            )
          : undefined;
        return [name, { ...db, url: await through(db.url, name), ...(replicas ? { replicas } : {}) }];
      }),
    );
    return {
      databases: Object.fromEntries(entries),
      delayedChunks: () => running.reduce((sum, p) => sum + p.delayedChunks(), 0),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
