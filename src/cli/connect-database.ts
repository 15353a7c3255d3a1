import { openDatabase } from '../db/open-database';
import type { Database } from '../db/types';
import type { JobSpec } from '../job/types';
import { type DatabaseUrlSources, redactUrl, resolveDatabaseUrl } from './database-url';
import { BadInputError, oneLine } from './errors';

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
