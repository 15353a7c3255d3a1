import { z } from 'zod';
import { createMysqlDatabase } from './mysql';
import { createPostgresDatabase } from './postgres';
import { reauthenticating } from './reauthenticating-database';
import {
  ConnectionConfigError,
  type CredentialSources,
  type Credentials,
  type DatabaseTarget,
  type EndpointTarget,
  endpointUrl,
  isUrlTarget,
  schemeOfUrl,
} from './target';
import type { Database, ReplicaTarget } from './types';

export interface OpenDatabaseOptions {
  /** Connections kept per process; a Lambda needs one or two. */
  readonly poolSize?: number;
}

/** Opens a database from a URL: `postgres://` / `postgresql://`, or `mysql://` / `mariadb://`. */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Database {
  const { scheme, engine } = schemeOfUrl(url);
  if (engine === 'postgres') return createPostgresDatabase({ url, poolSize: options.poolSize });
  if (engine === 'mysql') {
    return createMysqlDatabase({ url: url.replace(/^mariadb:/, 'mysql:'), poolSize: options.poolSize });
  }
  throw new Error(`unsupported database URL scheme '${scheme}:': use postgres:// or mysql://`);
}

/** What turns a driver URL into a Database; tests record the URLs instead of connecting. */
export type Opener = (url: string) => Database;

const defaultOpener: Opener = (url) => openDatabase(url, { poolSize: 2 });

const rdsSecretSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().optional(),
  port: z.union([z.number(), z.string()]).optional(),
  dbname: z.string().optional(),
});

/** JSON.parse quotes the text it chokes on: never let that be a password. */
function parseSecret(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An endpoint's credentials: a freshly signed IAM token, or the secret (re-read past any cache on `refresh`). */
async function endpointCredentials(
  target: EndpointTarget,
  endpoint: { readonly host: string; readonly port: number },
  sources: CredentialSources,
  refresh: boolean,
): Promise<Credentials> {
  if (target.iamAuthUser) {
    const user = target.iamAuthUser;
    return { user, password: await sources.iamToken({ ...endpoint, user }), iamToken: true };
  }
  const secret = rdsSecretSchema.safeParse(
    parseSecret(await sources.secretString(target.secretArn!, { refresh })),
  );
  if (!secret.success)
    throw new ConnectionConfigError(
      `secret ${target.secretArn} is not the RDS JSON shape { username, password }`,
    );
  return { user: secret.data.username, password: secret.data.password };
}

function needCredentials(sources: CredentialSources | undefined, description: string): CredentialSources {
  if (!sources)
    throw new ConnectionConfigError(
      `${description} reads its credentials from AWS, which only a deployment has`,
    );
  return sources;
}

export interface OpenTargetOptions {
  /** Names the connection in errors, e.g. `connection 'primary'`. */
  readonly description: string;
  readonly open?: Opener;
}

/**
 * Opens a target through the driver. A URL as written; an endpoint with credentials read from
 * `sources`, and when the server refuses them (a rotated secret) read once more and reopened.
 */
export async function openTarget(
  target: DatabaseTarget,
  sources: CredentialSources | undefined,
  options: OpenTargetOptions,
): Promise<Database> {
  const open = options.open ?? defaultOpener;
  if (isUrlTarget(target)) return open(target.url);
  const credentials = needCredentials(sources, options.description);
  const url = async (refresh: boolean) =>
    endpointUrl(target, target, await endpointCredentials(target, target, credentials, refresh));
  const first = await url(false);
  return reauthenticating(open(first), async () => open(await url(true)), options.description);
}

/** The target's replicas as the lag signal reads them: URLs, with the writer's credentials for an endpoint. */
export async function replicaTargets(
  target: DatabaseTarget,
  sources: CredentialSources | undefined,
  description: string,
): Promise<ReplicaTarget[]> {
  if (isUrlTarget(target)) return [...(target.replicas ?? [])];
  const replicas = target.replicas ?? [];
  if (replicas.length === 0) return [];
  const credentials = needCredentials(sources, description);
  return Promise.all(
    replicas.map(async (r) => ({
      name: r.name,
      url: endpointUrl(target, r, await endpointCredentials(target, r, credentials, false)),
    })),
  );
}
