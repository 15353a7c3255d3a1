/** The job has no item in the control table: it never ran and was never prepared with ensureJob. */
export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super(`job '${jobId}' has no control state yet; start it (or call ensureJob) before changing its status`);
  }
}

/** A read-decide-write kept losing to other writers of the same job item. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
  constructor(
    readonly jobId: string,
    readonly operation: string,
    readonly attempts: number,
  ) {
    super(
      `job '${jobId}': ${operation} lost to concurrent changes of the job ${attempts} times in a row; ` +
        'something is writing to it in a tight loop, retry when it settles',
    );
  }
}

/** DynamoDB kept throttling or failing transiently after every retry. */
export class ControlStoreUnavailableError extends Error {
  override readonly name = 'ControlStoreUnavailableError';
  constructor(
    readonly operation: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    const cause =
      options.cause instanceof Error
        ? `${options.cause.name}: ${options.cause.message}`
        : String(options.cause);
    super(
      `DynamoDB ${operation} still failed after ${attempts} attempts (${cause}); ` +
        'check that the control table exists and is reachable, and that it is on-demand or has capacity to spare',
      options,
    );
  }
}

/** A caller passed something the control store refuses to record. */
export class InvalidControlInputError extends Error {
  override readonly name = 'InvalidControlInputError';
}
