// The deployment config: what `lowtide.config.ts` declares, shared by the CDK app and the Lambdas.
export type { Connection, ConnectionInput, IamAuth, LagAlarmConfig, SecretAuth } from './connection';
export { defaultPort, isSecretAuth, toRuntimeConnections } from './connection';
export { connectionGroupSchema, fleetExecutionInputOf, fleetMembersOf } from './connection-groups';
export type { DdlGuardConfig, DdlGuardInput } from './ddl-guard';
export { ddlRulesOf } from './ddl-guard';
export type { ConfigInput, ConfigIssue, JobEntry, LowtideConfig, RecipeEntry } from './define-config';
export {
  ConfigError,
  connectionOf,
  defineConfig,
  deployedJobs,
  findJob,
  parseConfig,
  UnknownJobError,
} from './define-config';
export {
  APPLY_BATCH_TIMEOUT_SECONDS,
  applyBatchCeiling,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  STATEMENT_MARGIN_SECONDS,
} from './function-timeouts';
export { JOB_DIMENSION, jobMetricDimensions, METRICS_NAMESPACE, metricNames, SERVICE_NAME } from './metrics';
export { dashboardName, fleetStateMachineName, replicaLagAlarmName, stateMachineName } from './names';
export type { Network, NetworkInput } from './network';
export type { Schedule, ScheduleInput } from './schedule';
export { cronProblem, normalizeCron, timeZoneProblem } from './schedule';
export { checkStatementsFit, statementFitIssues } from './statement-fit';
