import { type Opener, openTarget, replicaTargets } from '../db/open-database';
import {
  ConnectionConfigError,
  type CredentialSources,
  type DatabaseTarget,
  type EndpointTarget,
  isUrlTarget,
  type UrlTarget,
} from '../db/target';
import type { Database } from '../db/types';
import type { Connections } from './deps';

export type { CredentialSources };
export { ConnectionConfigError };

/** IAM tokens live 15 minutes; new pool connections need a fresh one, so the pool is renewed before that. */
const IAM_POOL_LIFETIME_MS = 10 * 60_000;

interface TargetConnectionsOptions {
  readonly credentials?: CredentialSources;
  readonly open?: Opener;
  readonly now?: () => number;
  /** The error for a connection name no target has, naming the known ones. */
  readonly unknown: (name: string, known: string) => string;
}

/**
 * Named targets as the handlers use them: each opened once per process and kept (renewed in time
 * when its password is an IAM token), its replicas resolved on demand.
 */
function targetConnections(
  targets: Readonly<Record<string, DatabaseTarget>>,
  options: TargetConnectionsOptions,
): Connections {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { db: Promise<Database>; renewAt: number }>();
  const target = (name: string) => {
    const found = targets[name];
    if (!found)
      throw new ConnectionConfigError(options.unknown(name, Object.keys(targets).join(', ') || 'none'));
    return found;
  };
  const description = (name: string) => `connection '${name}'`;
  return {
    async open(name) {
      const t = target(name);
      const cached = cache.get(name);
      if (cached && cached.renewAt > now()) return cached.db;
      const db = openTarget(t, options.credentials, { description: description(name), open: options.open });
      const renews = !isUrlTarget(t) && t.iamAuthUser !== undefined;
      cache.set(name, { db, renewAt: renews ? now() + IAM_POOL_LIFETIME_MS : Number.POSITIVE_INFINITY });
      db.catch(() => cache.delete(name));
      if (cached) void cached.db.then((old) => old.close()).catch(() => undefined);
      return db;
    },
    async replicas(name) {
      return replicaTargets(target(name), options.credentials, description(name));
    },
    async close() {
      const all = [...cache.values()];
      cache.clear();
      await Promise.allSettled(all.map(async (e) => (await e.db).close()));
    },
  };
}

/** A database for the local runtime: its URL, or its URL and replica URLs for the lag signal. */
export type LocalDatabase = string | UrlTarget;

/** Connections from URLs (local runtime, CLI, tests). */
export function urlConnections(
  databases: Readonly<Record<string, LocalDatabase>>,
  open?: Opener,
): Connections {
  const targets = Object.fromEntries(
    Object.entries(databases).map(([name, d]) => [name, typeof d === 'string' ? { url: d } : d]),
  );
  return targetConnections(targets, {
    open,
    unknown: (name, known) =>
      `no database URL for connection '${name}' (known: ${known}); add it to databases`,
  });
}

/**
 * Connections for a Lambda container: the bundled deployment config's endpoints, credentials from
 * Secrets Manager or an IAM token. Passwords appear only inside URLs handed to the driver, never in
 * logs or errors.
 */
export function lambdaConnections(
  connections: Readonly<Record<string, EndpointTarget>>,
  sources: CredentialSources,
  options: { open?: Opener; now?: () => number } = {},
): Connections {
  return targetConnections(connections, {
    ...options,
    credentials: sources,
    unknown: (name, known) => `no connection '${name}' in this deployment's config (known: ${known})`,
  });
}
