import { openDatabase } from '../../db/open-database';
import type { JobSpec } from '../../job/types';
import { type DatabaseUrlSources, findUrl } from '../database-url';
import { startEmbeddedPostgres } from '../demo/embedded-postgres';
import { DEMO_TABLE, demoRowsFrom, seedDemoTable } from '../demo/seed';
import { BadInputError } from '../errors';
import { count } from '../format/units';

/** An embedded PostgreSQL started for one `lowtide plan`, seeded with the demo table. */
export interface EmbeddedPlanDatabase {
  readonly url: string;
  readonly table: string;
  readonly rows: number;
  /** The first line of the plan's output: which database this is, and how to plan on yours. */
  readonly notice: string;
  stop(): Promise<void>;
}

/**
 * `lowtide plan` with no database given for a PostgreSQL job: rather than refuse, it plans on an
 * embedded PostgreSQL (PGlite, as `npm start` does) holding `lowtide_demo_accounts`, the table of
 * the example job `lowtide init` writes, with LOWTIDE_DEMO_ROWS rows (100,000 by default). A job on
 * any other table is planned there too, and its preflight says the table is missing.
 * Undefined when a database is given, or for a MySQL job (whose missing URL stays an error).
 */
export async function embeddedDatabaseWhenNoneGiven(
  spec: JobSpec,
  sources: DatabaseUrlSources,
): Promise<EmbeddedPlanDatabase | undefined> {
  if (spec.engine !== 'postgres' || (await findUrl(spec.database, sources))) return undefined;
  let rows: number;
  try {
    rows = demoRowsFrom(sources.env.LOWTIDE_DEMO_ROWS);
  } catch (error) {
    throw new BadInputError((error as Error).message);
  }
  const embedded = await startEmbeddedPostgres();
  try {
    const db = openDatabase(embedded.url, { poolSize: 1 });
    try {
      await seedDemoTable(db, rows);
    } finally {
      await db.close();
    }
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return {
    url: embedded.url,
    table: DEMO_TABLE,
    rows,
    notice:
      `no database given for connection '${spec.database}': planning on an embedded PostgreSQL (PGlite, in this process) ` +
      `with ${DEMO_TABLE} seeded with ${count(rows)} rows; pass --database-url (or see "Choosing the database" in the README) to plan against yours`,
    stop: () => embedded.stop(),
  };
}
