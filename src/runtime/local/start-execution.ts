/**
 * StartExecution as Step Functions answers it, for the local runtime. The "StartExecution" page of
 * the AWS Step Functions API Reference: for a Standard workflow, the same name and input as a
 * running execution succeeds with the original response; an execution that is closed, or an input
 * that differs, is refused with a 400 `ExecutionAlreadyExists`. "Handling errors in Step Functions
 * workflows": a Task on the optimized `arn:aws:states:::states:startExecution` integration reports
 * that refusal as `StepFunctions.ExecutionAlreadyExistsException`, and an SDK client failure (a
 * lost response) as `StepFunctions.SdkClientException`.
 */

/** The API's refusal of a reused execution name (the SDK's error code). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
  constructor(readonly executionArn: string) {
    super(`Execution Already Exists: '${executionArn}'`);
  }
}

/** How the `states:startExecution` Task integration names the API's errors in Retry and Catch. */
export const START_EXECUTION_TASK_ERRORS = {
  alreadyExists: 'StepFunctions.ExecutionAlreadyExistsException',
  sdkClient: 'StepFunctions.SdkClientException',
} as const;

/** An error with the name a Task state's Retry and Catch match on. */
export function taskError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The API's answer to a start under a name already used: the same execution, or a refusal. */
export function reuseOfName<T>(
  existing: { readonly arn: string; readonly input: string; readonly running: boolean; readonly started: T },
  input: string,
): T {
  if (existing.running && existing.input === input) return existing.started;
  throw new ExecutionAlreadyExistsError(existing.arn);
}
