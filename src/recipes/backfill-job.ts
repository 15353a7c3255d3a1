import { defineJob } from '../job/define-job';
import type { DefineJobInput, JobSpec } from '../job/types';

/** What a recipe's backfill job needs beyond the table and the column: where, and how fast. */
export interface RecipeJobOptions {
  /** The connection name of the database (as in the deployment's config). */
  readonly database: string;
  readonly owner: string;
  /** The unique, indexed key the batches walk. */
  readonly key: string;
  readonly batch?: Extract<DefineJobInput, { kind: 'update' }>['batch'];
  readonly limits?: Extract<DefineJobInput, { kind: 'update' }>['limits'];
  readonly health?: Extract<DefineJobInput, { kind: 'update' }>['health'];
}

/** The id of a recipe's backfill job: the recipe's id with `-backfill`. */
export function backfillJobId(recipeId: string): string {
  return `${recipeId}-backfill`;
}

/** An ordinary update job, validated like any job file, that fills `column` from `expression`. */
export function backfillJob(
  recipeId: string,
  engine: 'postgres' | 'mysql',
  table: string,
  column: string,
  expression: string,
  where: string,
  options: RecipeJobOptions,
): JobSpec {
  return defineJob({
    id: backfillJobId(recipeId),
    owner: options.owner,
    description: `backfill of ${table}.${column} for schema-change recipe ${recipeId}`,
    engine,
    database: options.database,
    table,
    key: options.key,
    kind: 'update',
    where,
    set: { [column]: expression },
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.health ? { health: options.health } : {}),
  });
}
