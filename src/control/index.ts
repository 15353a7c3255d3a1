// The control plane: job ownership and state in DynamoDB (or dynalite, locally).
export { MAX_SIZER_SAMPLES } from './checkpoint';
export { DynamoControlStore, type DynamoControlStoreOptions } from './dynamo-store';
export {
  ConcurrentUpdateError,
  ControlStoreUnavailableError,
  InvalidControlInputError,
  JobNotFoundError,
} from './errors';
export { FLEET_ROSTER_SK, type FleetRoster, type FleetRosterMember, FleetRosterStore } from './fleet-roster';
export { BATCH_SK_PREFIX, JOB_ITEM_SK, jobPk, RUN_SK_PREFIX } from './item-keys';
export { isPauseReason } from './job-item';
export {
  connectLocalDynamo,
  type LocalDynamo,
  type LocalDynamoClients,
  type LocalDynamoOptions,
  startLocalDynamo,
} from './local-dynamodb';
export { computeProgress, type ProgressInput, RATE_WINDOW, type RateSample, rowsPerSecond } from './progress';
export { MAX_PAUSE_REQUESTS } from './requests';
export { backoffDelay, isTransientDynamoError, type RetryOptions, withRetry } from './retry';
export {
  allowedFrom,
  assertTransition,
  canTransition,
  isJobStatus,
  JOB_STATUSES,
  TRANSITIONS,
} from './status';
export {
  CONTROL_TABLE_PARTITION_KEY,
  CONTROL_TABLE_SORT_KEY,
  ControlTableError,
  createControlTable,
} from './table';
export * from './types';
