import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: hand it to `openDatabase` like any server's URL. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Defaults to a free port. */
  readonly port?: number;
  /** Directory that keeps the data across restarts; in memory when absent. */
  readonly dataDir?: string;
}

/**
 * Connections the socket server accepts. PGlite is one backend: the server multiplexes sessions
 * onto it and keeps a session's transaction to itself, so a pool of a few connections works (one
 * batch plus a reader beside it), but it cannot show lock contention between them.
 */
const MAX_CONNECTIONS = 8;

/**
 * Starts PostgreSQL in this process (PGlite, compiled to WebAssembly) behind a socket that speaks the
 * PostgreSQL wire protocol, so lowtide's real `pg` adapter runs its real SQL against it. Nothing to
 * install: it is what `npm start` uses when no database is configured.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const address = server.getServerConn();
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${address}/postgres`,
    stop: () => {
      stopped ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}
