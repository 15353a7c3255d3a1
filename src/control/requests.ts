import { InvalidControlInputError } from './errors';
import { clip, isPauseReason } from './job-item';
import { assertTransition } from './status';
import {
  type AbortRequest,
  IllegalTransitionError,
  type JobState,
  type JobStatus,
  type PauseReason,
  type PauseRequest,
} from './types';

/**
 * What a pause, resume or abort does to the job item, decided from what was read. Pure, so the store
 * can re-decide after losing a race, and the rules read in one place. `leaseLive` says whether an
 * execution holds the lease right now (not expired, and its local process, if any, still there).
 */
export interface JobChange {
  readonly status?: JobStatus;
  /** null removes it. */
  readonly statusReason?: string | null;
  readonly pauseRequests?: readonly PauseRequest[];
  /** null removes it. */
  readonly abortRequest?: AbortRequest | null;
}

/** Enough for every alarm a job watches; a longer list means something is inventing reasons. */
export const MAX_PAUSE_REQUESTS = 50;

/** An operator's resume clears these; an alarm's pause needs that alarm's OK, or a forced resume. */
const CLEARED_BY_OPERATOR: readonly PauseReason[] = [
  'operator',
  'window',
  'lock-timeouts',
  'statement-timeouts',
  'replica-lag',
];

export function decidePause(
  state: JobState,
  request: Omit<PauseRequest, 'at'>,
  leaseLive: boolean,
  at: string,
): JobChange {
  if (!isPauseReason(request.reason)) {
    throw new InvalidControlInputError(
      `pause reason '${request.reason}' is not one of operator, window, lock-timeouts, statement-timeouts, replica-lag, alarm:NAME or flag:NAME`,
    );
  }
  requireText('who asks for the pause (by)', request.by);
  const entry: PauseRequest = { reason: request.reason, by: request.by, at, message: clip(request.message) };
  const pauseRequests = [...state.pauseRequests.filter((r) => r.reason !== request.reason), entry];
  if (pauseRequests.length > MAX_PAUSE_REQUESTS) {
    throw new InvalidControlInputError(
      `job '${state.jobId}' already has ${MAX_PAUSE_REQUESTS} pause requests; clear some before adding '${request.reason}'`,
    );
  }
  const status = pausedStatus(state, leaseLive);
  if (status !== state.status) assertTransition(state.jobId, state.status, status);
  return {
    pauseRequests,
    status,
    statusReason:
      status === state.status ? undefined : `pause requested by ${request.by} (${request.reason})`,
  };
}

function pausedStatus(state: JobState, leaseLive: boolean): JobStatus {
  switch (state.status) {
    case 'running':
    case 'pausing':
      return leaseLive ? 'pausing' : 'paused';
    case 'idle':
      return 'paused';
    default:
      return state.status;
  }
}

/** Undefined when nothing would change. */
export function decideClearPause(
  state: JobState,
  reason: PauseReason,
  force: boolean,
): JobChange | undefined {
  if (!force && !isPauseReason(reason)) {
    throw new InvalidControlInputError(
      `pause reason '${reason}' is not one lowtide records, so it cannot be cleared`,
    );
  }
  // A flag pause is cleared by a resume too: if the flag is still off, the next gate pauses again.
  const cleared = (r: PauseRequest) =>
    force ||
    r.reason === reason ||
    (reason === 'operator' && (CLEARED_BY_OPERATOR.includes(r.reason) || r.reason.startsWith('flag:')));
  const pauseRequests = state.pauseRequests.filter((r) => !cleared(r));
  if (pauseRequests.length === state.pauseRequests.length) return undefined;
  // A paused job stays paused: whoever runs it next (the waiting execution or a new start) moves it on.
  if (pauseRequests.length === 0 && state.status === 'pausing') {
    return { pauseRequests, status: 'running', statusReason: 'pause withdrawn before it took effect' };
  }
  return { pauseRequests };
}

/** Undefined when nothing would change. */
export function decideAbort(
  state: JobState,
  request: { by: string; reason?: string },
  leaseLive: boolean,
  at: string,
): JobChange | undefined {
  requireText('who asks for the abort (by)', request.by);
  if (state.status === 'completed') {
    throw new IllegalTransitionError(
      state.jobId,
      'completed',
      'aborted',
      'the job already completed; nothing to abort',
    );
  }
  if (state.status === 'aborted') return undefined;
  const live = leaseLive && ['running', 'pausing', 'paused', 'aborting'].includes(state.status);
  const status: JobStatus = live ? 'aborting' : 'aborted';
  assertTransition(state.jobId, state.status, status);
  const abortRequest = state.abortRequest ?? { by: request.by, at, reason: clip(request.reason) };
  if (state.abortRequest && status === state.status) return undefined;
  return {
    abortRequest,
    status,
    statusReason: `abort requested by ${abortRequest.by}${abortRequest.reason ? `: ${abortRequest.reason}` : ''}`,
  };
}

/**
 * Undefined when nothing would change. An abort under way with no live execution to finish it
 * (its process died, its lease ran out) is settled here: the job was aborted, and is re-armed.
 */
export function decideClearAbort(state: JobState, by: string, leaseLive: boolean): JobChange | undefined {
  requireText('who clears the abort (by)', by);
  if (!state.abortRequest) return undefined;
  if (state.status === 'aborting' && !leaseLive) {
    return {
      abortRequest: null,
      status: 'idle',
      statusReason: `abort cleared by ${by} (its run had ended before it could finish the abort)`,
    };
  }
  if (state.status === 'aborting') {
    throw new IllegalTransitionError(
      state.jobId,
      'aborting',
      'idle',
      'the abort is under way; wait until the job is aborted, then clear it',
    );
  }
  if (state.status === 'aborted')
    return { abortRequest: null, status: 'idle', statusReason: `abort cleared by ${by}` };
  return { abortRequest: null };
}

/**
 * What an execution that is gone can no longer do itself: a pending pause or abort takes effect
 * (pausing -> paused, aborting -> aborted). Undefined when the job needs nothing.
 */
export function decideOrphaned(state: JobState, leaseLive: boolean): JobChange | undefined {
  if (leaseLive) return undefined;
  if (state.status === 'aborting') {
    return { status: 'aborted', statusReason: 'aborted: its run ended before it could finish the abort' };
  }
  if (state.status === 'pausing') {
    return { status: 'paused', statusReason: 'paused: its run ended before it could apply the pause' };
  }
  return undefined;
}

function requireText(what: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidControlInputError(`${what} must be a non-empty string`);
}
