import type { Database } from '../db/types';
import type { JobSpec } from '../job/types';
import type { BackfillPhase, Phase, Recipe } from '../recipes';
import { HandlerError } from './errors';
import { type RecipeControlOptions, recipeControlJob } from './recipe-control-job';

/** A recipe the runtime can run as an execution (`{ jobId: <recipe id>, recipe: true }`). */
export interface RecipeRegistration {
  readonly recipe: Recipe;
  /**
   * For a recipe without a backfill phase (an index, a MySQL online ALTER): the database and limits
   * its execution runs with. A recipe with a backfill takes them from its backfill job.
   */
  readonly control?: RecipeControlOptions;
}

/** The execution names a recipe this deployment does not register, or one the state machine cannot run. */
export class RecipeUnavailableError extends HandlerError {
  override readonly name = 'RecipeUnavailable';
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
