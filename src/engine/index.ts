// The engine: everything the handlers, the local runtime and the CLI call. It speaks only to the
// Database interface, never to a driver or an AWS SDK.
export { initialSizer, nextSizer } from './batch-sizer';
export type { BatchConfig, BatchObservation } from './batch-sizer';
export { BatchVerificationError, StaleLeaseError } from './errors';
export { installLedger, readLedger, resetLedger } from './ledger';
export type { LedgerHead, LedgerRow } from './ledger';
export { runPreflight } from './preflight/run-preflight';
export type { PreflightReport, PreflightRequest } from './preflight/run-preflight';
export { PREFLIGHT_CHECKS } from './preflight/registry';
export type { PreflightCheck, PreflightContext } from './preflight/types';
export { jobLockName } from './lock-name';
export { runBatch, validateJob, verifyCommittedBatch } from './run-batch';
export type { BatchOutcome, BatchRequest, CommittedBatchRequest } from './run-batch';
export { DbError } from '../db/types';
export { auditTableRef, installAudit } from './audit/audit-table';
export { listRollbackConflicts } from './rollback/conflicts';
export type { RollbackConflict } from './rollback/conflicts';
export { AuditRetentionError, dropAudit } from './rollback/retention';
export type { DropAuditOptions } from './rollback/retention';
export { ROLLBACK_SUFFIX, rollbackJob, rollbackJobId } from './rollback/rollback-job';
export type { RollbackOptions } from './rollback/rollback-job';
