// `lowtide/config`: what a deployment's lowtide.config.ts imports. Plain data and validation only
// (no aws-cdk-lib, no drivers), because the config file is bundled into every Lambda.
export type { ConnectionInput, IamAuth, LagAlarmConfig, SecretAuth } from './connection';
export type { DdlGuardInput } from './ddl-guard';
export type { ConfigInput, ConfigIssue, JobEntry, LowtideConfig } from './define-config';
export { ConfigError, defineConfig, parseConfig } from './define-config';
export type { NetworkInput } from './network';
export type { ScheduleInput } from './schedule';
