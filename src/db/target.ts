import type { Engine, ReplicaTarget } from './types';

/**
 * A database given as a URL, credentials included (the CLI's --database-url, its environment and
 * lowtide.connections.json, the local runtime's `databases`): opened as written.
 */
export interface UrlTarget {
  readonly url: string;
  /** Replica URLs for the lag signal. */
  readonly replicas?: readonly ReplicaTarget[];
}

/** A replica of a deployed database: read with the writer's credentials. */
export interface ReplicaEndpoint {
  /** How health checks and logs name the replica. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/**
 * A deployed database (lowtide.config.ts `connections`, resolved): where it is and which credential
 * opens it, never the credential itself. The secret's ARN travels; its value is read at run time.
 */
export interface EndpointTarget {
  readonly engine: Engine;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Secrets Manager secret in the standard RDS JSON shape. */
  readonly secretArn?: string;
  /** IAM database authentication: sign a token for this user with the RDS signer. */
  readonly iamAuthUser?: string;
  readonly replicas?: readonly ReplicaEndpoint[];
  /** CloudWatch alarms the stack created for this connection (replica lag); they gate every job on it. */
  readonly alarms?: readonly string[];
}

/**
 * The one connection model: every source of connections (the deployment config, a URL) resolves
 * to a DatabaseTarget, and `openTarget` (./open-database) opens one through the driver.
 */
export type DatabaseTarget = UrlTarget | EndpointTarget;

export function isUrlTarget(target: DatabaseTarget): target is UrlTarget {
  return 'url' in target;
}

/** A connection the deployment cannot resolve: the message says which setting to fix. */
export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';
}

/** A database URL lowtide cannot open; `reason` completes "<where the URL came from> ...". */
export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
  constructor(readonly reason: string) {
    super(`the database URL ${reason}`);
  }
}

/** A URL's scheme and the engine it names (undefined: a scheme lowtide cannot open). */
export function schemeOfUrl(url: string): { readonly scheme: string; readonly engine?: Engine } {
  let scheme: string;
  try {
    scheme = new URL(url).protocol.replace(/:$/, '');
  } catch {
    throw new DatabaseUrlError(
      'is not a URL: use postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db',
    );
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return { scheme, engine: 'postgres' };
  if (scheme === 'mysql' || scheme === 'mariadb') return { scheme, engine: 'mysql' };
  return { scheme };
}

/** The engine a URL's scheme names: `postgres://` / `postgresql://`, or `mysql://` / `mariadb://`. */
export function engineOfUrl(url: string): Engine {
  const { scheme, engine } = schemeOfUrl(url);
  if (engine) return engine;
  throw new DatabaseUrlError(
    `has scheme '${scheme}:', which lowtide cannot open: use postgres:// or mysql://`,
  );
}

/** The URL with its password masked, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Where an EndpointTarget's credentials come from: Secrets Manager and the RDS signer on Lambda. */
export interface CredentialSources {
  /** The secret's string (GetSecretValue); `refresh` skips any cache (after an authentication failure). */
  secretString(secretArn: string, options?: { readonly refresh?: boolean }): Promise<string>;
  /** An RDS IAM auth token for user@host:port (valid 15 minutes). */
  iamToken(target: { host: string; port: number; user: string }): Promise<string>;
}

/** A user and a password for an EndpointTarget; the password may be an RDS IAM token. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
  readonly iamToken?: boolean;
}

/**
 * The driver URL of a deployed endpoint, TLS on: RDS connections are encrypted, and verified
 * against the CA bundle. The password appears only here, never in logs or errors.
 */
export function endpointUrl(
  target: Pick<EndpointTarget, 'engine' | 'database'>,
  endpoint: { readonly host: string; readonly port: number },
  credentials: Credentials,
): string {
  const { engine } = target;
  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  const tls = engine === 'postgres' ? 'sslmode=verify-full' : 'ssl=true';
  // MySQL sends an IAM token through mysql_clear_password, which the driver enables only for auth=iam.
  const iamAuth = credentials.iamToken && engine === 'mysql' ? '&auth=iam' : '';
  return `${engine}://${auth}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(target.database)}?${tls}${iamAuth}`;
}
