import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase } from '../db/open-database';
import { DatabaseUrlError, engineOfUrl as engineOf, redactUrl } from '../db/target';
import type { Database, Engine } from '../db/types';
import type { JobSpec } from '../job/types';
import { BadInputError, oneLine } from './errors';

/** The file that maps a job's `database` name to a URL, in the directory the CLI runs in. */
export const CONNECTIONS_FILE = 'lowtide.connections.json';

export interface DatabaseUrlSources {
  /** `--database-url`. */
  readonly flag?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface ResolvedDatabaseUrl {
  readonly url: string;
  /** Where it came from, for messages: `--database-url`, an environment variable, or the file. */
  readonly source: string;
}

/** `primary` -> `LOWTIDE_DATABASE_URL_PRIMARY`, `orders-eu` -> `LOWTIDE_DATABASE_URL_ORDERS_EU`. */
export function connectionEnvName(connection: string): string {
  return `LOWTIDE_DATABASE_URL_${connection.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Where a local command finds the job's database, most specific first:
 * 1. `--database-url URL`;
 * 2. `LOWTIDE_DATABASE_URL_<NAME>` for the job's `database` name;
 * 3. `lowtide.connections.json` in the working directory: `{ "<name>": "<url>" }` (a name mapped to a
 *    list is a connection group: src/cli/fleet/connection-groups.ts);
 * 4. `DATABASE_URL`.
 * The URL's scheme must match the job's engine.
 */
export async function resolveDatabaseUrl(
  spec: JobSpec,
  sources: DatabaseUrlSources,
): Promise<ResolvedDatabaseUrl> {
  const resolved = await findUrl(spec.database, sources);
  if (!resolved) {
    throw new BadInputError(
      `no database URL for job '${spec.id}' (connection '${spec.database}'): pass --database-url, set ` +
        `${connectionEnvName(spec.database)} or DATABASE_URL, or add "${spec.database}" to ${CONNECTIONS_FILE}`,
    );
  }
  const engine = engineOfUrl(resolved.url, resolved.source);
  if (engine !== spec.engine) {
    throw new BadInputError(
      `job '${spec.id}' is a ${spec.engine} job but ${resolved.source} is a ${engine} URL: point it at a ${spec.engine} server`,
    );
  }
  return resolved;
}

/** The URL `resolveDatabaseUrl` would use, or undefined when nothing names one (no checks). */
export async function findUrl(
  connection: string,
  sources: DatabaseUrlSources,
): Promise<ResolvedDatabaseUrl | undefined> {
  if (sources.flag) return { url: sources.flag, source: '--database-url' };
  const envName = connectionEnvName(connection);
  const specific = sources.env[envName];
  if (specific) return { url: specific, source: envName };
  const fromFile = await readConnectionsFile(sources.cwd, connection);
  if (fromFile) return { url: fromFile, source: `${CONNECTIONS_FILE} ("${connection}")` };
  const general = sources.env.DATABASE_URL;
  if (general) return { url: general, source: 'DATABASE_URL' };
  return undefined;
}

async function readConnectionsFile(cwd: string, connection: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(cwd, CONNECTIONS_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BadInputError(
      `${CONNECTIONS_FILE} is not valid JSON (${(error as Error).message}): fix or remove it`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadInputError(
      `${CONNECTIONS_FILE} must be an object of connection names to URLs (or, for a connection group, lists of URLs), e.g. { "primary": "postgres://..." }`,
    );
  }
  const value = (parsed as Record<string, unknown>)[connection];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    throw new BadInputError(
      `${CONNECTIONS_FILE}: "${connection}" is a connection group (${value.length} members): lowtide run --local runs the job on every member; for one member's run pass --member NAME (rollback)`,
    );
  }
  if (typeof value !== 'string' || value === '') {
    throw new BadInputError(`${CONNECTIONS_FILE}: "${connection}" must be a database URL string`);
  }
  return value;
}

/** The engine a URL's scheme names; bad input for anything lowtide cannot open. */
export function engineOfUrl(url: string, source = 'the database URL'): Engine {
  try {
    return engineOf(url);
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new BadInputError(`${source} ${error.reason}`);
    throw error;
  }
}

export { redactUrl };

export interface ConnectedDatabase {
  readonly db: Database;
  /** The URL as resolved, password included: for handing to the runtime, never for printing. */
  readonly url: string;
  /** The URL with the password masked. */
  readonly where: string;
  /** e.g. `postgres 15.8` or `mariadb 10.11.9`. */
  readonly serverVersion: string;
}

/**
 * Resolves the job's database URL, opens it and makes one round trip, so an unreachable server,
 * a wrong password or a missing database is reported as bad input before anything else happens.
 */
export async function connectJobDatabase(
  spec: JobSpec,
  sources: DatabaseUrlSources,
): Promise<ConnectedDatabase> {
  const { url, source } = await resolveDatabaseUrl(spec, sources);
  const where = redactUrl(url);
  let db: Database;
  try {
    db = openDatabase(url, { poolSize: 2 });
  } catch (error) {
    throw new BadInputError(`${source}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const serverVersion = await db.serverVersion();
    return { db, url, where, serverVersion };
  } catch (error) {
    await db.close().catch(() => {});
    const reason = oneLine((error as Error).message);
    const advice = /check /i.test(reason) ? '' : '; check the URL and that the server is up';
    throw new BadInputError(`cannot reach the database at ${where} (from ${source}): ${reason}${advice}`, {
      cause: error,
    });
  }
}
