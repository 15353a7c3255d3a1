import { generationName } from '../run/naming';
import type { ExecutionInput, RunState } from '../run/state';
import { inputJobId, workFlagsOfRun } from './runnable/work-ref';

export interface Successor {
  readonly name: string;
  readonly input: ExecutionInput;
}

/** The next generation of a run: its execution name and input, linked to this execution. */
export function successorOf(run: RunState): Successor {
  const generation = run.generation + 1;
  return {
    name: generationName(run.jobId, run.runId, generation),
    input: {
      jobId: inputJobId(run),
      runId: run.runId,
      generation,
      runStartedAt: run.runStartedAt,
      ...workFlagsOfRun(run),
      ...(run.windowEndsAt ? { window: { endsAt: run.windowEndsAt } } : {}),
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: run.execution.id,
    },
  };
}
