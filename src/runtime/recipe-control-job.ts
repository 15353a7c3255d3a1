import { defineJob } from '../job/define-job';
import type { JobSpec } from '../job/types';
import type { Recipe, RecipeJobOptions } from '../recipes';

/**
 * Where and under which limits a recipe without a backfill phase runs (its DDL steps take the
 * lock timeout from `limits` and the health gate from `health`). `key` defaults to `id`: the job
 * never walks it, because such a recipe has no batches.
 */
export type RecipeControlOptions = Omit<RecipeJobOptions, 'key' | 'batch'> & { readonly key?: string };

/**
 * The job a DDL-only recipe's execution runs under, named after the recipe: a custom job whose
 * batches select nothing, so the lease, checkpoint, status, consents and health gate work as for
 * any job, and nothing but the recipe's own DDL steps ever touches the table.
 */
export function recipeControlJob(recipe: Recipe, options: RecipeControlOptions): JobSpec {
  return defineJob({
    id: recipe.id,
    owner: options.owner,
    description: `schema-change recipe ${recipe.id} on ${recipe.table}`,
    engine: recipe.engine,
    database: options.database,
    table: recipe.table,
    key: options.key ?? 'id',
    kind: 'custom',
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.health ? { health: options.health } : {}),
    selectBatch: async () => [],
    applyBatch: async () => 0,
  });
}
