// Production wiring of the handler cores. functions/*.ts import the modules themselves, not this
// index, so each bundle carries only what its function uses.
export { createLambdaDeps } from './database-deps';
export {
  createControlDeps,
  type DepsFactory,
  deploymentAlarms,
  settingsFromEnv,
  type Telemetry,
} from './deps';
export { lambdaHandler } from './handler';
