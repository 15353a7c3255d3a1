import { z } from 'zod';
import { fail } from '../../run/fail';
import { siblingExecutionArn } from '../../run/naming';
import { leaseSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { causeText } from '../error-cause';
import { parsePayload } from './common';

/** Loose on purpose: a failure can come from any state, with whatever payload that state had. */
const payloadSchema = z.looseObject({
  jobId: z.string().optional(),
  execution: z.object({ id: z.string() }).optional(),
  lease: leaseSchema.optional(),
  successor: z.object({ name: z.string(), started: z.unknown().optional() }).optional(),
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

export interface FailureRecord {
  /** For the Fail state: the error name and the reason, in the execution's output. */
  readonly error: string;
  readonly cause: string;
}

/** Any uncaught error: the run fails (src/run/fail.ts) with the error's name and cause as the reason. */
export async function recordFailure(payload: unknown, deps: HandlerDeps): Promise<FailureRecord> {
  const state = parsePayload(payloadSchema, payload, 'RecordFailure payload');
  const error = state.error?.Error ?? 'UnknownError';
  const cause = causeText(state.error?.Cause).slice(0, 30_000);
  const reason = `${error}: ${cause}`;
  deps.logger.error('run failed', { jobId: state.jobId, error, cause });
  if (!state.jobId || !state.lease || !state.execution) return { error, cause };

  const { lease, execution, successor } = state;
  const unstartedSuccessor =
    successor && !successor.started ? siblingExecutionArn(execution.id, successor.name) : undefined;
  await deps.store.commit(
    state.jobId,
    fail({ reason, lease, executionId: execution.id, unstartedSuccessor }),
  );
  return { error, cause };
}
