import type { Database } from '../db/types';
import { analyzeScript } from './analyze-sql';
import { type GuardContext, guardContextFromDatabase } from './database-catalog';
import type { Analysis, AnalyzeOptions } from './types';

/** How the statements will be run, which the live database cannot tell, and the rule settings. */
export type RunAssumptions = Pick<
  AnalyzeOptions,
  'assumeLockTimeout' | 'assumeInTransaction' | 'smallTableRows' | 'maxLockTimeoutMs' | 'rules'
>;

/**
 * The one analysis behind every gate that runs DDL on a live database (the preflight check and the
 * recipes' phases), and what `lowtide lint --database-url` does: the engine, server flavour and
 * release, table sizes, column and constraint facts all come from that database, so a statement
 * lint accepts there is accepted by the gates, and the other way round.
 */
export async function analyzeOnDatabase(
  db: Database,
  statements: string | readonly string[],
  assumptions: RunAssumptions,
  context?: GuardContext,
): Promise<Analysis> {
  return analyzeScript(statements, {
    engine: db.engine,
    ...(context ?? (await guardContextFromDatabase(db))),
    ...assumptions,
  });
}
