// The public API of lowtide: what a job file and an embedding program import.

export { defineConfig } from './config';
export { SqlBuilder, sql } from './db/sql';
export type { Database, Dialect, Key, QueryResult, Row, Tx } from './db/types';
export { DbError } from './db/types';
export { displayKey } from './engine/key-display';
export type { SpecIssue } from './job/define-job';
export { defineJob, JobSpecError, parseJobSpec } from './job/define-job';
export type {
  AuthorKey,
  CheckResult,
  CompositeKey,
  CustomJobHooks,
  CustomJobInput,
  DefineJobInput,
  JobSpec,
  KeyPart,
  PlanEstimate,
  VerifyResult,
} from './job/types';
export type { TableRef } from './sql/identifiers';
