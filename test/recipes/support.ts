import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import type { JobSpec } from '../../src/job/types';
import type { JobRunResult, Recipe, RecipeRunOptions } from '../../src/recipes';
import { createLocalRuntime } from '../../src/runtime/local';
import type { LocalRuntime } from '../../src/runtime/local/types';
import type { TestDatabase } from '../support/databases';

export const CONNECTION = 'primary';

/** Backfill jobs of a recipe, for the local runtime to know them. */
export function recipeJobs(recipe: Recipe): JobSpec[] {
  return recipe.phases.flatMap((p) => (p.kind === 'backfill' ? [p.job] : []));
}

export interface RecipeHarness {
  readonly db: Database;
  readonly runtime: LocalRuntime;
  /** Everything runRecipe needs, backfills through the local runtime (the deployed state machine). */
  options(recipeId: string, extra?: Partial<RecipeRunOptions>): RecipeRunOptions;
  close(): Promise<void>;
}

export async function recipeHarness(testDb: TestDatabase, jobs: readonly JobSpec[]): Promise<RecipeHarness> {
  const db = openDatabase(testDb.url);
  const runtime = await createLocalRuntime({
    jobs,
    databases: { [CONNECTION]: testDb.url },
    msPerSecond: 1,
    settings: { backoffSeconds: 1, maxBackoffSeconds: 2 },
  });
  const runJob = async (spec: JobSpec): Promise<JobRunResult> => {
    const result = await runtime.run({ jobId: spec.id });
    const reasons = (result.output?.blocked as { reasons?: string[] } | undefined)?.reasons;
    return { exit: result.exit ?? result.status, ...(reasons ? { reasons } : {}) };
  };
  return {
    db,
    runtime,
    options: (recipeId, extra = {}) => ({
      db,
      runJob,
      consents: async (fingerprint) => (await runtime.store.ddlConsents(recipeId))[fingerprint],
      lockTimeoutMs: 200,
      retries: 20,
      backoffMs: 50,
      ...extra,
    }),
    close: async () => {
      await runtime.close();
      await db.close();
    },
  };
}
