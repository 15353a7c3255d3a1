// What functions/*.ts import: production wiring of the handler cores.
export { createLambdaDeps, deploymentAlarms, settingsFromEnv } from './deps';
export { lambdaHandler } from './handler';
