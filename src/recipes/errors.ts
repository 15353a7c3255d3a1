/** A recipe asked for something it cannot do safely (bad names, a table copy on MySQL). */
export class RecipeInputError extends Error {
  override readonly name = 'RecipeInputError';
}
