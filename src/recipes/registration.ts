import type { Database } from '../db/types';
import { defineJob } from '../job/define-job';
import type { JobSpec } from '../job/types';
import type { RecipeJobOptions } from './backfill-job';
import { RecipeUnavailableError } from './errors';
import type { BackfillPhase, Phase, Recipe } from './types';

/**
 * Where and under which limits a recipe without a backfill phase runs (its DDL steps take the
 * lock timeout from `limits` and the health gate from `health`). `key` defaults to `id`: the job
 * never walks it, because such a recipe has no batches.
 */
export type RecipeControlOptions = Omit<RecipeJobOptions, 'key' | 'batch'> & { readonly key?: string };

/** A recipe the runtime can run as an execution (`{ jobId: <recipe id>, recipe: true }`). */
export interface RecipeRegistration {
  readonly recipe: Recipe;
  /**
   * For a recipe without a backfill phase (an index, a MySQL online ALTER): the database and limits
   * its execution runs with. A recipe with a backfill takes them from its backfill job.
   */
  readonly control?: RecipeControlOptions;
}

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

/**
 * The job a recipe's execution runs under: its backfill job, renamed to the recipe's id. So the
 * lease, checkpoint, status, history, consents, ledger and advisory lock all belong to the recipe,
 * and its DDL steps and backfill batches exclude each other through the same lock.
 */
export function recipeControlSpec(registration: RecipeRegistration): JobSpec {
  const { recipe } = registration;
  const backfill = recipe.phases.find((p): p is BackfillPhase => p.kind === 'backfill');
  if (backfill) return { ...backfill.job, id: recipe.id } as JobSpec;
  if (registration.control) return recipeControlJob(recipe, registration.control);
  throw new RecipeUnavailableError(
    `recipe ${recipe.id} has no backfill phase to take its database and limits from: register it with control: { database, owner, limits } (or run it with runRecipe, lowtide recipe)`,
  );
}

/** The first phase whose effect the catalog does not show yet, or undefined when the recipe is done. */
export async function currentPhase(recipe: Recipe, db: Database): Promise<Phase | undefined> {
  for (const phase of recipe.phases) if (!(await phase.done(db))) return phase;
  return undefined;
}

export function phaseNamed(recipe: Recipe, name: string | undefined): Phase | undefined {
  return name === undefined ? undefined : recipe.phases.find((p) => p.name === name);
}
