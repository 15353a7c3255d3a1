import { newRunId } from '../run/naming';
import type { ExecutionInput, RunState } from '../run/state';
import { windowEndsAt } from '../run/window';
import { runJobId, workFlagsOfInput } from './runnable/work-ref';

/**
 * The payload an execution starts with. A new run gets a run id and its start time; a continued
 * one carries both over from its parent, so names, the runtime budget and the window span the run.
 */
export function startState(
  input: ExecutionInput,
  execution: { id: string; name: string },
  started: Date,
): RunState {
  const endsAt = windowEndsAt(input.window, started);
  return {
    jobId: runJobId(input),
    runId: input.runId ?? newRunId(started),
    generation: input.generation ?? 0,
    execution: { id: execution.id, name: execution.name },
    runStartedAt: input.runStartedAt ?? started.toISOString(),
    dryRun: input.dryRun ?? false,
    ...workFlagsOfInput(input),
    windowEndsAt: endsAt?.toISOString(),
    decision: 'ready',
    iteration: 0,
    waitSeconds: 0,
  };
}
