/**
 * The steps of a run, each named once. The state machine's Task states, the `functions/` entry
 * files, the definition substitutions that carry the functions' ARNs, the handler map and the local
 * runtime's overrides all derive their names from a step's name here: `applyBatch` is the state
 * `ApplyBatch`, the file `functions/apply-batch.ts`, the substitution `${ApplyBatchFunctionArn}` and
 * the handler core `applyBatch`.
 *
 * Imports nothing: infra and the CLI read it without pulling in handlers, drivers or the AWS SDK.
 */

/** A step the state machine runs as a Lambda Task state. */
interface TaskStep {
  readonly trigger: 'task';
  /** The `decision` values the step returns; the Choice after its state branches on them. */
  readonly decisions: readonly string[];
  /**
   * False when the state always goes on to the same next state: its decision is for the record
   * and no Choice reads it.
   */
  readonly routed: boolean;
  /** The step's own errors the state machine retries (besides the Lambda service errors every Task retries). */
  readonly retriedErrors: readonly string[];
}

/** A step EventBridge invokes: no state, no decision. */
interface EventStep {
  readonly trigger: 'event';
  /** The EventBridge detail-type that invokes it. */
  readonly detailType: string;
  readonly decisions: readonly [];
}

type Step = TaskStep | EventStep;

/** Errors the database steps raise when a connection drops mid-step (src/runtime/errors.ts). */
const CONNECTION_LOST = 'DatabaseConnectionLost';

/** In the order the functions are deployed. */
export const STEPS = {
  preflight: { trigger: 'task', decisions: ['blocked', 'dry-run', 'ready'], routed: true, retriedErrors: [] },
  acquireLease: { trigger: 'task', decisions: ['lease-held', 'acquired'], routed: true, retriedErrors: [] },
  healthGate: { trigger: 'task', decisions: ['proceed', 'wait', 'stop'], routed: true, retriedErrors: [] },
  applyBatch: {
    trigger: 'task',
    decisions: ['applied', 'done', 'held'],
    routed: true,
    // Contention and lost connections: the batch shrinks and runs again after a back-off.
    retriedErrors: ['LockTimeout', 'StatementTimeout', 'Deadlock', CONNECTION_LOST],
  },
  verifyBatch: { trigger: 'task', decisions: ['verified'], routed: false, retriedErrors: [CONNECTION_LOST] },
  finalize: {
    trigger: 'task',
    decisions: ['completed', 'aborted'],
    routed: true,
    retriedErrors: [CONNECTION_LOST],
  },
  stopRun: {
    trigger: 'task',
    decisions: ['paused', 'aborted', 'window-closed', 'continued'],
    routed: true,
    retriedErrors: [],
  },
  // Returns the Fail state's error and cause, no decision; retried on anything, since it is the
  // only step that releases the lease of a failed run.
  recordFailure: { trigger: 'task', decisions: [], routed: false, retriedErrors: ['States.ALL'] },
  onAlarm: { trigger: 'event', detailType: 'CloudWatch Alarm State Change', decisions: [] },
  onExecutionEnd: { trigger: 'event', detailType: 'Step Functions Execution Status Change', decisions: [] },
} as const satisfies Record<string, Step>;

export type StepName = keyof typeof STEPS;

/** The steps that are Task states of the state machine. */
export type TaskStepName = {
  [S in StepName]: (typeof STEPS)[S]['trigger'] extends 'task' ? S : never;
}[StepName];

/** What a step returns as `decision`, e.g. `DecisionOf<'applyBatch'>` is `'applied' | 'done' | 'held'`. */
export type DecisionOf<S extends StepName> = (typeof STEPS)[S]['decisions'][number];

/** The ASL state a Task step runs as. */
export type StateName<S extends TaskStepName = TaskStepName> = Capitalize<S>;

export const STEP_NAMES = Object.keys(STEPS) as StepName[];

export function isTaskStep(step: StepName): step is TaskStepName {
  return STEPS[step].trigger === 'task';
}

export const TASK_STEPS: readonly TaskStepName[] = STEP_NAMES.filter(isTaskStep);

/** `applyBatch` -> `ApplyBatch`. */
export function stateName<S extends TaskStepName>(step: S): StateName<S> {
  return `${step[0]!.toUpperCase()}${step.slice(1)}` as StateName<S>;
}

/** `applyBatch` -> `${ApplyBatchFunctionArn}`'s name, the substitution for the function's ARN. */
export function substitutionName<S extends TaskStepName>(step: S): `${StateName<S>}FunctionArn` {
  return `${stateName(step)}FunctionArn`;
}

/** `applyBatch` -> `apply-batch`: `functions/apply-batch.ts`, its Lambda entry point. */
export function functionFile(step: StepName): string {
  return step.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const stepsByState = new Map<string, TaskStepName>(TASK_STEPS.map((step) => [stateName(step), step]));

/** The step an ASL state runs, if it is one of ours (not a Choice, Wait or service integration). */
export function stepOfState(state: string): TaskStepName | undefined {
  return stepsByState.get(state);
}
