import { isJobStatus } from './status';
import type {
  AbortRequest,
  Approval,
  Checkpoint,
  JobState,
  JobStatus,
  Lease,
  LeaseHolder,
  LocalLeaseHolders,
  PauseReason,
  PauseRequest,
} from './types';
import type { UpdateExpression } from './update-expression';

/** Attribute names of the job item. The lease is flat so conditions can compare its parts directly. */
export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  jobId: 'jobId',
  status: 'status',
  statusReason: 'statusReason',
  leaseOwner: 'leaseOwner',
  leaseToken: 'leaseToken',
  leaseExpiresAt: 'leaseExpiresAt',
  /** Local runs: the process holding the lease ({ host, pid, start }). */
  leaseHolder: 'leaseHolder',
  lastToken: 'lastToken',
  checkpoint: 'checkpoint',
  pauseRequests: 'pauseRequests',
  abortRequest: 'abortRequest',
  approval: 'approval',
  ddlConsents: 'ddlConsents',
  /** Raised by every consent write; consent writes condition on it (and nothing else does). */
  ddlConsentSeq: 'ddlConsentSeq',
  estimatedRows: 'estimatedRows',
  runSeq: 'runSeq',
  /**
   * Raised by every write that changes what pause, resume and abort decide on (status, lease,
   * requests); those read-decide-write operations condition on it. Checkpoints, estimates,
   * approvals and history leave it alone so they never make a pause request lose a race.
   */
  version: 'version',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
} as const;

export interface JobItem {
  readonly state: JobState;
  readonly version: number;
}

/** Reasons, messages and keys are bounded so the job item never approaches DynamoDB's 400 KB limit. */
export const MAX_TEXT = 2000;

export function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** Drops undefined fields, which the document client refuses unless told otherwise. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function decodeJob(item: Record<string, unknown>): JobItem {
  const status = item[ATTR.status];
  const owner = item[ATTR.leaseOwner];
  const holder = decodeHolder(item[ATTR.leaseHolder]);
  const lease: Lease | undefined =
    typeof owner === 'string'
      ? compact({
          owner,
          token: Number(item[ATTR.leaseToken]),
          expiresAt: Number(item[ATTR.leaseExpiresAt]),
          holder,
        })
      : undefined;
  const state: JobState = compact({
    jobId: String(item[ATTR.jobId]),
    status: (isJobStatus(status) ? status : 'idle') as JobStatus,
    statusReason: item[ATTR.statusReason] as string | undefined,
    lease,
    lastToken: Number(item[ATTR.lastToken] ?? 0),
    checkpoint: item[ATTR.checkpoint] as Checkpoint | undefined,
    pauseRequests: (item[ATTR.pauseRequests] as PauseRequest[] | undefined) ?? [],
    abortRequest: item[ATTR.abortRequest] as AbortRequest | undefined,
    approval: item[ATTR.approval] as Approval | undefined,
    ddlConsents: item[ATTR.ddlConsents] as JobState['ddlConsents'],
    estimatedRows: item[ATTR.estimatedRows] as number | undefined,
    updatedAt: String(item[ATTR.updatedAt] ?? item[ATTR.createdAt] ?? ''),
  });
  return { state, version: Number(item[ATTR.version] ?? 0) };
}

/** A job that has no item yet, as the read-decide-write operations see it. */
export function emptyJob(jobId: string): JobState {
  return { jobId, status: 'idle', lastToken: 0, pauseRequests: [], updatedAt: '' };
}

function decodeHolder(value: unknown): LeaseHolder | undefined {
  const h = value as Partial<LeaseHolder> | undefined;
  if (!h || typeof h.host !== 'string' || !Number.isInteger(h.pid) || typeof h.start !== 'string') {
    return undefined;
  }
  return { host: h.host, pid: h.pid as number, start: h.start };
}

/**
 * Whether an execution holds the lease right now: not expired by the caller's clock and, when the
 * caller can judge local processes, not held by one that is gone.
 */
export function leaseIsLive(state: JobState, nowMs: number, holders?: LocalLeaseHolders): boolean {
  const { lease } = state;
  if (lease === undefined || lease.expiresAt < nowMs) return false;
  return !(lease.holder && holders?.isGone(lease.holder));
}

const PAUSE_REASON =
  /^(operator|window|lock-timeouts|statement-timeouts|replica-lag|alarm:.{1,255}|flag:[A-Za-z][A-Za-z0-9_-]{0,63})$/s;

export function isPauseReason(value: unknown): value is PauseReason {
  return typeof value === 'string' && PAUSE_REASON.test(value);
}

/**
 * The attributes every job item has, written only where missing, so any upserting write leaves a
 * complete item. `except` names those the caller's own expression writes (DynamoDB refuses two
 * actions on one attribute). `version` is left to the caller: most writes raise it.
 */
export function initJobItem(
  u: UpdateExpression,
  jobId: string,
  at: string,
  except: readonly string[] = [],
): UpdateExpression {
  const defaults: Record<string, unknown> = {
    [ATTR.jobId]: jobId,
    [ATTR.status]: 'idle',
    [ATTR.lastToken]: 0,
    [ATTR.pauseRequests]: [],
    [ATTR.createdAt]: at,
  };
  for (const [attribute, value] of Object.entries(defaults)) {
    if (!except.includes(attribute)) u.setIfMissing(attribute, value);
  }
  return u;
}
