import { InvalidControlInputError } from './errors';
import { clip } from './job-item';
import type { JobChange } from './requests';
import { assertTransition, canTransition } from './status';
import {
  type Checkpoint,
  IllegalTransitionError,
  type JobState,
  type Lease,
  LeaseLostError,
  type Transition,
} from './types';

/** What committing `transition` changes on the item as read, or undefined when nothing. */
export interface TransitionChange extends JobChange {
  /** null removes it; a lease sets it. */
  readonly lease?: Omit<Lease, 'holder'> | null;
  readonly lastToken?: number;
  readonly checkpoint?: Checkpoint;
  readonly estimatedRows?: number;
  /** Whether a lease release (release or release-of) removed a lease. */
  readonly released: boolean;
}

/**
 * Decides the job-item part of a transition from the item as read. Pure: the store re-decides when
 * the item changed before its conditional write landed.
 */
export function decideTransition(
  jobId: string,
  state: JobState,
  transition: Transition,
  nowMs: number,
  at: string,
): TransitionChange {
  const change: { -readonly [K in keyof TransitionChange]: TransitionChange[K] } = { released: false };
  const { lease, status, pauseRequest, clearPause, estimatedRows, initialCheckpoint } = transition;
  if (lease?.kind === 'acquire') {
    const token = state.lastToken + 1;
    change.lease = { owner: lease.owner, token, expiresAt: nowMs + lease.ttlMs };
    change.lastToken = token;
  } else if (lease?.kind === 'transfer') {
    if (!isCurrent(state, lease.lease))
      throw new LeaseLostError(lostLease(jobId, state, lease.lease, `hand the lease to ${lease.to}`));
    const token = state.lastToken + 1;
    change.lease = { owner: lease.to, token, expiresAt: nowMs + lease.ttlMs };
    change.lastToken = token;
  } else if (lease?.kind === 'release') {
    const ours = isCurrent(state, lease.lease) || (!!lease.orOwner && state.lease?.owner === lease.orOwner);
    if (ours) change.lease = null;
  } else if (lease?.kind === 'release-of' && state.lease?.owner === lease.owner) {
    change.lease = null;
  }
  change.released = change.lease === null;
  const leaseAfter = change.lease === null ? undefined : (change.lease ?? state.lease);
  if (clearPause && state.pauseRequests.some((r) => r.reason === clearPause)) {
    change.pauseRequests = state.pauseRequests.filter((r) => r.reason !== clearPause);
  }
  if (estimatedRows !== undefined) change.estimatedRows = requireEstimate(estimatedRows);
  if (initialCheckpoint && !state.checkpoint) change.checkpoint = initialCheckpoint;
  if (pauseRequest && !state.pauseRequests.some((r) => r.reason === pauseRequest.reason)) {
    change.pauseRequests = [
      ...(change.pauseRequests ?? state.pauseRequests),
      { ...pauseRequest, message: clip(pauseRequest.message), at },
    ];
  }
  const target = status?.instead?.from.includes(state.status) ? { ...status, to: status.instead.to } : status;
  if (target && statusApplies(state, target, leaseAfter, nowMs)) {
    change.status = target.to;
    change.statusReason = target.reason ?? null;
  }
  return change;
}

function requireEstimate(estimatedRows: number): number {
  if (!Number.isSafeInteger(estimatedRows) || estimatedRows < 0) {
    throw new InvalidControlInputError(`estimated rows must be a non-negative integer, not ${estimatedRows}`);
  }
  return estimatedRows;
}

function statusApplies(
  state: JobState,
  status: NonNullable<Transition['status']>,
  lease: Omit<Lease, 'holder'> | undefined,
  nowMs: number,
): boolean {
  const other = status.unlessLeasedToOtherThan;
  if (other !== undefined && lease && lease.owner !== other && lease.expiresAt > nowMs) return false;
  if (!canTransition(state.status, status.to)) {
    if (status.onlyIfAllowed) return false;
    assertTransition(state.jobId, state.status, status.to);
  }
  if (status.to === 'running' && state.abortRequest) {
    const { by, at } = state.abortRequest;
    throw new IllegalTransitionError(
      state.jobId,
      state.status,
      status.to,
      `${by} asked for an abort at ${at}; clear it (clearAbort) before running this job again`,
    );
  }
  return true;
}

function isCurrent(state: JobState, lease: Pick<Lease, 'owner' | 'token'>): boolean {
  return state.lease?.owner === lease.owner && state.lease.token === lease.token;
}

/** Why a write under `lease` was refused, for the LeaseLostError an operator will read. */
export function lostLease(
  jobId: string,
  state: JobState | undefined,
  lease: Pick<Lease, 'token'>,
  what: string,
): string {
  const why = !state
    ? 'the job has no control state'
    : !state.lease
      ? 'no lease is held (it was released)'
      : `the lease is now held by ${state.lease.owner} with token ${state.lease.token}`;
  return `job '${jobId}': cannot ${what} with lease token ${lease.token}: ${why}; this execution must stop (what it committed stays in the database ledger)`;
}
