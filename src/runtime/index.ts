// The runtime around the engine: handler cores, their deps, connection resolution and the local runtime.

export { RecipeUnavailableError } from '../recipes/errors';
export {
  type RecipeControlOptions,
  type RecipeRegistration,
  recipeControlJob,
} from '../recipes/registration';
export { generationName, newRunId, siblingExecutionArn } from '../run/naming';
export { type ExecutionInput, executionInputSchema, type RunState, runStateSchema } from '../run/state';
export { ConnectionConfigError, type LocalDatabase, lambdaConnections, urlConnections } from './connections';
export type {
  Connections,
  HandlerDeps,
  MetricDatum,
  RuntimeLogger,
  RuntimeMetrics,
  RuntimeSettings,
} from './deps';
export { DEFAULT_SETTINGS } from './deps';
export * from './errors';
export * as handlers from './handlers';
export { runtimeMetricNames } from './job-metrics';
export * from './local';
