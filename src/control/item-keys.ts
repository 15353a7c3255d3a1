import { CONTROL_JOB_ID } from '../job/job-id';
import { InvalidControlInputError } from './errors';

/**
 * Where things live in the control table. Everything about one job shares its partition key, so
 * one Query reads its history and the job item stays a single conditional-write target.
 */
export const JOB_ITEM_SK = 'STATE';
export const BATCH_SK_PREFIX = 'BATCH#';
export const RUN_SK_PREFIX = 'RUN#';

/** Zero padding keeps the sort keys in numeric order. */
const BATCH_DIGITS = 12;
const RUN_DIGITS = 10;

/** A job spec's id, or its rollback's, so every job that can be defined, and its rollback, can be stored. */
export function assertJobId(jobId: string): void {
  if (!CONTROL_JOB_ID.test(jobId)) {
    throw new InvalidControlInputError(
      `job id '${jobId}' is not valid: use lowercase letters, digits and -, starting with a letter or digit, at most 48 characters (plus -rollback for a rollback)`,
    );
  }
}

export function jobPk(jobId: string): string {
  assertJobId(jobId);
  return `JOB#${jobId}`;
}

export function batchSk(batchNo: number): string {
  return `${BATCH_SK_PREFIX}${String(batchNo).padStart(BATCH_DIGITS, '0')}`;
}

export function runSk(runNo: number): string {
  return `${RUN_SK_PREFIX}${String(runNo).padStart(RUN_DIGITS, '0')}`;
}

export const MAX_BATCH_NO = 10 ** BATCH_DIGITS - 1;
