import { failRun, failurePayloadSchema } from '../../run/fail';
import type { HandlerDeps } from '../deps';
import { causeText } from '../error-cause';
import { parsePayload } from './common';

export interface FailureRecord {
  /** For the Fail state: the error name and the reason, in the execution's output. */
  readonly error: string;
  readonly cause: string;
}

/** Any uncaught error: the run fails (src/run/fail.ts) with the error's name and cause as the reason. */
export async function recordFailure(payload: unknown, deps: HandlerDeps): Promise<FailureRecord> {
  const state = parsePayload(failurePayloadSchema, payload, 'RecordFailure payload');
  const error = state.error?.Error ?? 'UnknownError';
  const cause = causeText(state.error?.Cause).slice(0, 30_000);
  deps.logger.error('run failed', { jobId: state.jobId, error, cause });
  const failed = failRun(state, `${error}: ${cause}`);
  if (failed) await deps.store.commit(failed.jobId, failed.transition);
  return { error, cause };
}
