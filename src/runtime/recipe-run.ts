import type { Database } from '../db/types';
import type { JobSpec } from '../job/types';
import type { BackfillPhase, Phase, Recipe } from '../recipes';
import { HandlerError } from './errors';

/** A recipe the runtime can run as an execution (`{ jobId: <recipe id>, recipe: true }`). */
export interface RecipeRegistration {
  readonly recipe: Recipe;
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
  if (!backfill) {
    throw new RecipeUnavailableError(
      `recipe ${recipe.id} has no backfill phase, so the state machine has no database or limits to run it with: run it with runRecipe (lowtide recipe) instead`,
    );
  }
  return { ...backfill.job, id: recipe.id } as JobSpec;
}

/** The first phase whose effect the catalog does not show yet, or undefined when the recipe is done. */
export async function currentPhase(recipe: Recipe, db: Database): Promise<Phase | undefined> {
  for (const phase of recipe.phases) if (!(await phase.done(db))) return phase;
  return undefined;
}

export function phaseNamed(recipe: Recipe, name: string | undefined): Phase | undefined {
  return name === undefined ? undefined : recipe.phases.find((p) => p.name === name);
}
