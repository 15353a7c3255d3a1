import type { StatementCeiling } from '../job/statement-ceiling';

/**
 * How long the deployed functions may run, and how much of that a single SQL statement may use.
 * infra/function-catalog.ts takes the ApplyBatch timeout from here, and the Lambda runtime its
 * statement ceiling, so the figure the stack deploys is the figure preflight checks against.
 */

/**
 * The longest timeout a Lambda function can have: 900 seconds (AWS Lambda Developer Guide, "Lambda
 * quotas"; also "Configure Lambda function timeout"). No function of a deployment can outlast it.
 */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** What to do when a statement cannot fit a Lambda invocation: run it where no such limit applies. */
export const OUTSIDE_LAMBDA = {
  job: "run the job from a machine without Lambda's 15-minute limit with `lowtide run <job file> --local`: the local runtime has no such limit",
  recipe:
    "run the recipe from a machine without Lambda's 15-minute limit through the local runtime (runRecipe(recipe, ...) or createLocalRuntime({ recipes })) against the same database: it has no such limit",
} as const;

/*
 * Past its timeout Lambda stops the invocation wherever it is, mid-statement included, and the
 * task fails: Step Functions reports unhandled Lambda errors, function timeouts among them, as
 * `Lambda.Unknown` (AWS Step Functions Developer Guide, "Handle Lambda service exceptions"); Lambda
 * names a timeout's error type `Sandbox.Timedout` (AWS Lambda Developer Guide, "Troubleshoot
 * invocation issues in Lambda", for the Init phase). Either way the state machine's catch-all sends
 * the run to RecordFailure, and the database is left to notice on its own that its client is gone.
 */

/**
 * ApplyBatch runs every SQL statement a job's batches and a recipe's DDL steps send: its timeout
 * bounds them all.
 */
export const APPLY_BATCH_TIMEOUT_SECONDS = 300;

/**
 * What one ApplyBatch invocation needs besides its longest statement, so the database, not Lambda,
 * ends a statement that runs too long and the step still reports it:
 * - opening the connection in a cold container: the Secrets Manager read (or IAM token) and the
 *   driver's 10 s connect timeout;
 * - the DynamoDB reads of the job and its lease before the statement, and the conditional
 *   checkpoint write, history item and metrics after it, each with SDK retries (about 10 s);
 * - for a DDL step that failed, its cleanup (DROP INDEX CONCURRENTLY of the half-built index),
 *   bounded by DDL_CLEANUP_TIMEOUT_MS below;
 * - and slack for the batch's other statements (ledger read and write, verification).
 */
export const STATEMENT_MARGIN_SECONDS = 60;

/** Bound on a failed DDL step's cleanup statement on Lambda; the margin above holds it. */
export const DDL_CLEANUP_TIMEOUT_MS = 30_000;

/** The ceiling on one statement in the ApplyBatch function with this timeout. */
export function applyBatchCeiling(
  subject: keyof typeof OUTSIDE_LAMBDA,
  timeoutSeconds: number = APPLY_BATCH_TIMEOUT_SECONDS,
): StatementCeiling {
  return {
    ms: (timeoutSeconds - STATEMENT_MARGIN_SECONDS) * 1000,
    source: `the ApplyBatch function's ${timeoutSeconds} s Lambda timeout less a ${STATEMENT_MARGIN_SECONDS} s margin for connection setup, lease and job reads, the checkpoint write and cleanup`,
    instead: OUTSIDE_LAMBDA[subject],
  };
}
