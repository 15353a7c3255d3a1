/** A recipe asked for something it cannot do safely (bad names, a table copy on MySQL). */
export class RecipeInputError extends Error {
  override readonly name = 'RecipeInputError';
}

/**
 * The execution names a recipe this deployment does not register, or one the state machine cannot
 * run. Its name is the error the state machine sees when a handler throws it.
 */
export class RecipeUnavailableError extends Error {
  override readonly name = 'RecipeUnavailable';
}
