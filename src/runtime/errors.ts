/**
 * Errors the handlers throw on purpose. Each `name` is what Step Functions matches in the state
 * machine's Retry and Catch fields (a Lambda's error type is its error's name), so renaming one is
 * a change to statemachines/maintenance-job.asl.json too.
 */

/** Base class: the `name` is the state machine's error name. */
export abstract class HandlerError extends Error {}

/** A batch waited longer than the job's lock timeout for a row or table lock. Retried by the ASL. */
export class LockTimeoutError extends HandlerError {
  override readonly name = 'LockTimeout';
}

/** A batch statement ran past the job's statement timeout. Retried by the ASL. */
export class StatementTimeoutError extends HandlerError {
  override readonly name = 'StatementTimeout';
}

/** The server chose this batch as a deadlock victim. Retried by the ASL. */
export class DeadlockError extends HandlerError {
  override readonly name = 'Deadlock';
}

/** The database connection failed mid-step. Retried by the ASL. */
export class DatabaseConnectionLostError extends HandlerError {
  override readonly name = 'DatabaseConnectionLost';
}

/** Lock timeouts (or deadlocks) outlasted the job's retries: the state machine pauses the job. */
export class LockTimeoutsExhaustedError extends HandlerError {
  override readonly name = 'LockTimeoutsExhausted';
}

/**
 * The last of the job's attempts ran a statement past limits.statementTimeoutMs: the batch is too
 * slow (a slow `set` or `where`, a plan gone bad), not blocked by another session. The state machine
 * pauses the job with its own reason, so the operator looks at the statement, not for a lock holder.
 */
export class StatementTimeoutsExhaustedError extends HandlerError {
  override readonly name = 'StatementTimeoutsExhausted';
}

/** A committed batch, or the whole job at the end, does not satisfy the job's invariant. */
export class VerificationFailedError extends HandlerError {
  override readonly name = 'VerificationFailed';
}

/**
 * A recipe phase reached mid-run cannot run here at all (its timeout does not fit the function, its
 * table is too big to read in time, an earlier build still runs): the run fails with the reason
 * rather than hold for a consent that would not help. A new execution ends Blocked with it.
 */
export class RecipePhaseRefusedError extends HandlerError {
  override readonly name = 'RecipePhaseRefused';
}

/** The execution input or a state payload does not have the shape this handler needs. */
export class InvalidPayloadError extends HandlerError {
  override readonly name = 'InvalidPayload';
}

/** A step that needs the lease ran without one in its payload: the definition and handlers disagree. */
export class LeaseMissingError extends HandlerError {
  override readonly name = 'LeaseMissing';
}
