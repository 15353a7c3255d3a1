// The engine: everything the handlers, the local runtime and the CLI call. It speaks only to the
// Database interface, never to a driver or an AWS SDK.

export { DbError } from '../db/types';
export { auditTableRef, installAudit } from './audit/audit-table';
export type { BatchConfig, BatchObservation } from './batch-sizer';
export { initialSizer, nextSizer } from './batch-sizer';
export type { DryRunBatchRequest, DryRunOutcome } from './dry-run-batch';
export { dryRunBatch } from './dry-run-batch';
export { BatchVerificationError, StaleLeaseError } from './errors';
export { displayKey } from './key-display';
export type { JobKind } from './kinds/kind';
export { kindOf } from './kinds/registry';
export type { LedgerHead, LedgerRow } from './ledger';
export { installLedger, readLedger, resetLedger } from './ledger';
export { LedgerConflictError } from './ledger-place';
export { type JobLock, jobLock, jobLockName } from './lock-name';
export type { Rerun } from './passes';
export { passStart, rerunOf } from './passes';
export { validateJob } from './postflight';
export { STATEMENT_CEILING_CHECK, statementCeilingCheck } from './preflight/checks/statement-ceiling';
export { PREFLIGHT_CHECKS } from './preflight/registry';
export type { PreflightReport, PreflightRequest } from './preflight/run-preflight';
export { runPreflight } from './preflight/run-preflight';
export type { PreflightCheck, PreflightContext } from './preflight/types';
export type { RollbackConflict } from './rollback/conflicts';
export { listRollbackConflicts } from './rollback/conflicts';
export type { DropAuditOptions } from './rollback/retention';
export { AuditRetentionError, dropAudit } from './rollback/retention';
export type { RollbackOptions } from './rollback/rollback-job';
export { ROLLBACK_SUFFIX, rollbackJob, rollbackJobId } from './rollback/rollback-job';
export type { BatchOutcome, BatchRequest, CommittedBatchRequest } from './run-batch';
export { runBatch, verifyCommittedBatch } from './run-batch';
export type { QualifiedTable } from './target';
export { jobTarget, TargetTableError } from './target';
export type { WriteEstimate } from './write-volume';
export { estimateWriteVolume } from './write-volume';
