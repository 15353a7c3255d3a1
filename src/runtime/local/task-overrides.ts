import type { RunOptions } from 'aws-local-stepfunctions';
import type { BatchSummary, ExecutionInput, WorkCursor } from '../../run/state';
import { type DecisionOf, stateName, TASK_STEPS, type TaskStepName } from '../../run/steps';
import type { HandlerDeps } from '../deps';
import { STEP_HANDLERS } from '../handlers';
import type { TaskDelays } from './control-plane-delays';
import type { RetryTracker } from './retry-tracker';
import { ExecutionAlreadyExistsError, START_EXECUTION_TASK_ERRORS, taskError } from './start-execution';
import { stateTimings, type TimedState } from './state-timings';
import type { LocalExecution, RuntimeEvent } from './types';

/** The native StartExecution integration; locally it starts the next local execution. */
export const CONTINUE_AS_NEW_STATE = 'ContinueAsNew';

type Overrides = NonNullable<RunOptions['overrides']>;

interface Context {
  readonly states: Readonly<Record<string, TimedState>>;
  readonly deps: HandlerDeps;
  readonly executionName: string;
  readonly retries: RetryTracker;
  readonly msPerSecond: number;
  readonly emit: (event: RuntimeEvent) => void;
  readonly inFlight: Set<Promise<unknown>>;
  readonly startExecution: (input: ExecutionInput, options: { name: string }) => LocalExecution;
  readonly loseStartExecutionResponse?: (successor: LocalExecution) => boolean | Promise<boolean>;
  /** The latency profile's delays (see latency-profile.ts); none when absent. */
  readonly delays?: TaskDelays;
}

function progressEvents(
  step: TaskStepName,
  executionName: string,
  out: Record<string, unknown>,
): RuntimeEvent[] {
  const jobId = String(out.jobId);
  // A step that leaves something other than a batch to verify (a recipe's DDL step or finished
  // backfill) applies no batch of its own.
  if (
    step === 'applyBatch' &&
    out.decision === ('applied' satisfies DecisionOf<'applyBatch'>) &&
    (out.cursor as WorkCursor | undefined)?.verify === undefined
  ) {
    return [
      {
        type: 'batch-applied',
        executionName,
        jobId,
        batch: out.batch as BatchSummary,
        rowsDone: Number(out.rowsDone),
      },
    ];
  }
  if (step === 'healthGate') {
    const reasons = ((out.health as { reasons?: string[] } | undefined)?.reasons ?? []).slice();
    return [{ type: 'health', executionName, jobId, decision: String(out.decision), reasons }];
  }
  return [];
}

/**
 * The run options that make the interpreter behave like the deployed machine: Task states call the
 * handler cores (their output goes through JSON, as a Lambda's does), Wait states and retry
 * back-offs last `msPerSecond` per ASL second, and ContinueAsNew starts the successor locally.
 */
export function taskOverrides(ctx: Context): Overrides {
  const { states, deps, executionName, retries, msPerSecond, emit, inFlight, delays } = ctx;
  let lastWaitSeconds = 0;

  const wrap = (step: TaskStepName) => async (payload: unknown) => {
    const state = stateName(step);
    // Before task-started, so the handler's own time (what Lambda bills) leaves the invoke out.
    if (delays) await delays.beforeInvoke();
    emit({ type: 'task-started', executionName, state });
    const call = STEP_HANDLERS[step](payload, deps);
    inFlight.add(call);
    const forget = () => inFlight.delete(call);
    call.then(forget, forget);
    try {
      const out = JSON.parse(JSON.stringify((await call) ?? null)) as Record<string, unknown>;
      retries.succeeded();
      if (typeof out?.waitSeconds === 'number') lastWaitSeconds = out.waitSeconds;
      emit({ type: 'task-succeeded', executionName, state, decision: out?.decision as string | undefined });
      for (const event of progressEvents(step, executionName, out ?? {})) emit(event);
      if (delays) await delays.afterReturn(state, out);
      return out;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      retries.failed(state, err.name);
      emit({ type: 'task-failed', executionName, state, error: err.name, message: err.message });
      throw err;
    }
  };

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const step of TASK_STEPS) handlers[stateName(step)] = wrap(step);
  handlers[CONTINUE_AS_NEW_STATE] = async (params) => {
    const { Name, Input } = params as { Name: string; Input: ExecutionInput };
    const state = CONTINUE_AS_NEW_STATE;
    const fail = (name: string, message: string) => {
      emit({ type: 'task-failed', executionName, state, error: name, message });
      return taskError(name, message);
    };
    if (delays) await delays.beforeIntegration();
    emit({ type: 'task-started', executionName, state });
    let child: LocalExecution;
    try {
      child = ctx.startExecution(Input, { name: Name });
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        throw fail(START_EXECUTION_TASK_ERRORS.alreadyExists, error.message);
      throw error;
    }
    if (await ctx.loseStartExecutionResponse?.(child))
      throw fail(
        START_EXECUTION_TASK_ERRORS.sdkClient,
        'the StartExecution response was lost (injected fault)',
      );
    emit({ type: 'task-succeeded', executionName, state });
    if (delays) await delays.afterReturn(state, {});
    return { ExecutionArn: child.executionArn, StartDate: deps.now().toISOString() };
  };

  const { waits, backoffs } = stateTimings(states, {
    msPerSecond,
    lastWaitSeconds: () => lastWaitSeconds,
    retryDelayMs: () => retries.delayMs,
  });
  return {
    taskResourceLocalHandlers: handlers as Overrides['taskResourceLocalHandlers'],
    waitTimeOverrides: waits,
    retryIntervalOverrides: backoffs,
  };
}
