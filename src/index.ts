// The public API of lowtide: what a job file and an embedding program import.

export { defineConfig } from './config';
export { SqlBuilder, sql } from './db/sql';
export type { Database, Dialect, Key, QueryResult, Row, Tx } from './db/types';
export { DbError } from './db/types';
export type { SpecIssue } from './job/define-job';
export { defineJob, JobSpecError, parseJobSpec } from './job/define-job';
export type {
  CheckResult,
  CustomJobHooks,
  DefineJobInput,
  JobSpec,
  PlanEstimate,
  VerifyResult,
} from './job/types';
export type { TableRef } from './sql/identifiers';
