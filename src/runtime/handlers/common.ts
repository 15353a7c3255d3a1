import { z } from 'zod';
import type { Checkpoint } from '../../control/types';
import { initialSizer } from '../../engine';
import type { JobSpec } from '../../job/types';
import { type PayloadLease, type RunState, runStateSchema } from '../../run/state';
import { InvalidPayloadError, LeaseMissingError } from '../errors';

/** A loop task's payload: the run state and `$$.State.RetryCount`, which the history budget counts. */
export const loopStepSchema = z.object({
  run: runStateSchema,
  retryCount: z.number().int().min(0).default(0),
});

/** The run state with this step's retries added to the execution's count. */
export function withReportedRetries(run: RunState, retryCount: number): RunState {
  return retryCount === 0 ? run : { ...run, historyRetries: (run.historyRetries ?? 0) + retryCount };
}

export function requireLease(state: RunState, step: string): PayloadLease {
  if (!state.lease) throw new LeaseMissingError(`${step} needs the lease, but the payload carries none`);
  return state.lease;
}

/** The checkpoint a job starts from before its first batch. */
export function initialCheckpoint(spec: JobSpec, at: Date): Checkpoint {
  return {
    lastKey: null,
    batchNo: 0,
    rowsDone: 0,
    rowsScanned: 0,
    sizer: initialSizer(spec.batch),
    at: at.toISOString(),
  };
}

/**
 * Step Functions waits whole seconds. Pacing under half a second rounds to no Wait at all: the
 * state transitions and the next Lambda invocation already take that long.
 */
export function pacingSeconds(spec: JobSpec): number {
  return Math.round(spec.health.pauseBetweenBatchesMs / 1000);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parses a handler's input or throws InvalidPayloadError naming each bad field. */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new InvalidPayloadError(`invalid ${what}: ${issues.join('; ')}`);
}
