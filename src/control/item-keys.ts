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

/** The same rule as a job spec's id (src/job/spec.ts), so every job that can be defined can be stored. */
const JOB_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;

export function assertJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) {
    throw new InvalidControlInputError(
      `job id '${jobId}' is not valid: use lowercase letters, digits and -, starting with a letter or digit, at most 48 characters`,
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
