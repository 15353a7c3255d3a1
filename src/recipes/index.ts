// Safe schema-change recipes: jobs made of phases (guarded DDL steps under a short lock timeout,
// ordinary backfill jobs, consent gates), resumable because every phase reads the catalog first.
export type { RecipeJobOptions } from './backfill-job';
export { backfillJobId } from './backfill-job';
export { RecipeInputError, RecipeUnavailableError } from './errors';
export type { MysqlAddColumnInput, MysqlAddIndexInput, MysqlChangeColumnTypeInput } from './mysql-recipes';
export { mysqlAddColumn, mysqlAddIndex, mysqlChangeColumnType } from './mysql-recipes';
export type {
  AddNotNullColumnInput,
  ChangeColumnTypeInput,
  CreateIndexConcurrentlyInput,
} from './postgres-recipes';
export { addNotNullColumn, changeColumnType, createIndexConcurrently } from './postgres-recipes';
export {
  type RecipeControlOptions,
  type RecipeRegistration,
  recipeControlJob,
  recipeControlSpec,
} from './registration';
export { RecipeBusyError } from './run-ddl';
export { runRecipe } from './run-recipe';
export type {
  BackfillPhase,
  DdlMode,
  DdlPhase,
  JobRunResult,
  Phase,
  PhaseOutcome,
  PhaseReport,
  Recipe,
  RecipeResult,
  RecipeRunOptions,
} from './types';
