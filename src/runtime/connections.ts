import { z } from 'zod';
import type { RuntimeConnection } from '../config/runtime-connections';
import { openDatabase as openDatabaseUrl } from '../db/open-database';
import type { Database, ReplicaTarget } from '../db/types';
import type { Connections } from './deps';

/** A connection the deployment cannot resolve: the message says which setting to fix. */
export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';
}

type Opener = (url: string) => Database;

// --- local: a URL per connection name ---

/** A database for the local runtime: its URL, and optionally replica URLs for the lag signal. */
export type LocalDatabase = string | { readonly url: string; readonly replicas?: readonly ReplicaTarget[] };

/** Connections from URLs (local runtime, CLI, tests), each opened once and kept. */
export function urlConnections(
  databases: Readonly<Record<string, LocalDatabase>>,
  open: Opener = openDatabaseUrl,
): Connections {
  const opened = new Map<string, Database>();
  const entry = (name: string) => {
    const found = databases[name];
    if (!found) {
      const known = Object.keys(databases).join(', ') || 'none';
      throw new ConnectionConfigError(
        `no database URL for connection '${name}' (known: ${known}); add it to databases`,
      );
    }
    return typeof found === 'string'
      ? { url: found, replicas: [] }
      : { url: found.url, replicas: found.replicas ?? [] };
  };
  return {
    async open(name) {
      let db = opened.get(name);
      if (!db) {
        db = open(entry(name).url);
        opened.set(name, db);
      }
      return db;
    },
    async replicas(name) {
      return [...entry(name).replicas];
    },
    async close() {
      const all = [...opened.values()];
      opened.clear();
      await Promise.allSettled(all.map((db) => db.close()));
    },
  };
}

// --- Lambda: the bundled config's connections + Secrets Manager or RDS IAM auth ---

const rdsSecretSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().optional(),
  port: z.union([z.number(), z.string()]).optional(),
  dbname: z.string().optional(),
});

export interface CredentialSources {
  /** The secret's string (GetSecretValue). */
  secretString(secretArn: string): Promise<string>;
  /** An RDS IAM auth token for user@host:port (valid 15 minutes). */
  iamToken(target: { host: string; port: number; user: string }): Promise<string>;
}

/** IAM tokens live 15 minutes; new pool connections need a fresh one, so the pool is renewed before that. */
const IAM_POOL_LIFETIME_MS = 10 * 60_000;

/** JSON.parse quotes the text it chokes on: never let that be a password. */
function parseSecret(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Builds a URL with TLS on: RDS connections are encrypted, and verified against the CA bundle. */
function toUrl(
  engine: RuntimeConnection['engine'],
  user: string,
  password: string,
  host: string,
  port: number,
  database: string,
) {
  const auth = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  const tls = engine === 'postgres' ? 'sslmode=verify-full' : 'ssl=true';
  return `${engine}://${auth}@${host}:${port}/${encodeURIComponent(database)}?${tls}`;
}

/**
 * Connections for a Lambda container: from the bundled deployment config, credentials from Secrets
 * Manager or an IAM token, opened once per container (renewed in time for IAM auth). Passwords
 * appear only inside URLs handed to the driver, never in logs or errors.
 */
export function lambdaConnections(
  connections: Readonly<Record<string, RuntimeConnection>>,
  sources: CredentialSources,
  options: { open?: Opener; now?: () => number } = {},
): Connections {
  const open = options.open ?? ((url: string) => openDatabaseUrl(url, { poolSize: 2 }));
  const now = options.now ?? Date.now;
  const cache = new Map<string, { db: Promise<Database>; renewAt: number }>();
  const config = (name: string) => {
    const c = connections[name];
    if (!c)
      throw new ConnectionConfigError(
        `no connection '${name}' in this deployment's config (known: ${Object.keys(connections).join(', ') || 'none'})`,
      );
    return c;
  };
  const url = async (c: RuntimeConnection, host: string, port: number): Promise<string> => {
    if (c.iamAuthUser)
      return toUrl(
        c.engine,
        c.iamAuthUser,
        await sources.iamToken({ host, port, user: c.iamAuthUser }),
        host,
        port,
        c.database,
      );
    const secret = rdsSecretSchema.safeParse(parseSecret(await sources.secretString(c.secretArn!)));
    if (!secret.success)
      throw new ConnectionConfigError(
        `secret ${c.secretArn} is not the RDS JSON shape { username, password }`,
      );
    return toUrl(c.engine, secret.data.username, secret.data.password, host, port, c.database);
  };
  return {
    async open(name) {
      const c = config(name);
      const cached = cache.get(name);
      if (cached && cached.renewAt > now()) return cached.db;
      const db = url(c, c.host, c.port).then(open);
      cache.set(name, {
        db,
        renewAt: c.iamAuthUser ? now() + IAM_POOL_LIFETIME_MS : Number.POSITIVE_INFINITY,
      });
      db.catch(() => cache.delete(name));
      if (cached) void cached.db.then((old) => old.close()).catch(() => undefined);
      return db;
    },
    async replicas(name) {
      const c = config(name);
      return Promise.all(
        (c.replicas ?? []).map(async (r) => ({ name: r.name, url: await url(c, r.host, r.port) })),
      );
    },
    async close() {
      const all = [...cache.values()];
      cache.clear();
      await Promise.allSettled(all.map(async (e) => (await e.db).close()));
    },
  };
}
