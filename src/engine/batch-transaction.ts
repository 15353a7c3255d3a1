import type { BatchTxOptions, Database } from '../db/types';
import type { JobSpec } from '../job/types';
import { jobLock } from './lock-name';

/** How every batch transaction of a job is opened: its advisory lock and its timeouts. */
export async function batchTransactionOptions(db: Database, spec: JobSpec): Promise<BatchTxOptions> {
  return {
    ...(await jobLock(db, spec)),
    lockTimeoutMs: spec.limits.lockTimeoutMs,
    statementTimeoutMs: spec.limits.statementTimeoutMs,
  };
}
