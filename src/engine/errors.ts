/**
 * The ledger in the target database has recorded a newer lease token than the one this batch
 * carries: another owner has taken over. The batch's transaction was rolled back.
 */
export class StaleLeaseError extends Error {
  override readonly name = 'StaleLeaseError';
  constructor(
    readonly jobId: string,
    readonly token: number,
    readonly newestToken: number,
  ) {
    super(
      `job '${jobId}': lease token ${token} is older than token ${newestToken} recorded in the ledger; ` +
        'another owner has taken over, so this batch was rolled back',
    );
  }
}

/** A batch failed its verification; when raised inside the batch, the batch was rolled back. */
export class BatchVerificationError extends Error {
  override readonly name = 'BatchVerificationError';
  constructor(
    readonly jobId: string,
    readonly batchNo: number,
    readonly reason: string,
  ) {
    super(`job '${jobId}' batch ${batchNo} failed verification: ${reason}`);
  }
}
