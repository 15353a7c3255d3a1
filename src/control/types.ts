import type { Key } from '../db/types';

/** A job's lifecycle. Allowed transitions live in one table (status.ts); anything else is refused. */
export type JobStatus =
  | 'idle'
  | 'running'
  | 'pausing'
  | 'paused'
  | 'aborting'
  | 'aborted'
  | 'failed'
  | 'completed';

export interface Lease {
  /** Who holds it: the Step Functions execution id (ARN), or a local execution's name. */
  readonly owner: string;
  /** Fencing token: raised by every acquisition, never reused. The database ledger rejects older ones. */
  readonly token: number;
  /** Epoch milliseconds. An expired lease may be taken over (with a higher token). */
  readonly expiresAt: number;
  /** Local runs only: the process that took it, so its death ends the lease at once. */
  readonly holder?: LeaseHolder;
}

/** A local process as it names itself on the leases it takes. */
export interface LeaseHolder {
  readonly host: string;
  readonly pid: number;
  /**
   * When the process started, as the operating system reports it ('' when it cannot say): with the
   * pid it tells the holder from a later process that was given the same pid.
   */
  readonly start: string;
}

/**
 * How a store on the local control state recognises a lease whose process is gone: such a lease
 * counts as expired at once (it is still taken over with a new fencing token, as any expired lease).
 */
export interface LocalLeaseHolders {
  /** This process, recorded on the leases it takes. */
  readonly self: LeaseHolder;
  /** True only when the holder is known to be gone; a holder on another host is never judged. */
  isGone(holder: LeaseHolder): boolean;
}

export type LeaseResult =
  | { readonly acquired: true; readonly lease: Lease }
  | { readonly acquired: false; readonly heldBy: string; readonly expiresAt: number };

/** The adaptive batch sizer's memory, carried from batch to batch. */
export interface SizerState {
  readonly size: number;
  /** Milliseconds per row of the most recent batches, newest last (bounded). */
  readonly recentMsPerRow: readonly number[];
}

export interface Checkpoint {
  /** Last key applied (null before the first batch). */
  readonly lastKey: Key | null;
  /** Number of the last batch applied (0 before the first). */
  readonly batchNo: number;
  readonly rowsDone: number;
  readonly rowsScanned: number;
  readonly sizer: SizerState;
  /** ISO time of the write. */
  readonly at: string;
}

/**
 * Why a job is paused. `operator` is sticky until an operator resumes; `alarm:NAME` clears when
 * that alarm returns to OK (with autoResume) or on a forced resume; `window` clears at the next
 * scheduled start; `lock-timeouts`, `statement-timeouts` and `replica-lag` clear on an operator's resume.
 */
export type PauseReason =
  | 'operator'
  | 'window'
  | 'lock-timeouts'
  | 'statement-timeouts'
  | 'replica-lag'
  | `alarm:${string}`
  /** A feature flag that gates the job is off (or unreadable). */
  | `flag:${string}`;

export interface PauseRequest {
  readonly reason: PauseReason;
  /** Who asked (an operator's name, an alarm ARN, `scheduler`). */
  readonly by: string;
  readonly at: string;
  readonly message?: string;
}

export interface Approval {
  readonly by: string;
  readonly at: string;
  readonly note?: string;
}

/** An operator's consent to run one dangerous DDL statement as written (see the DDL guard). */
export interface DdlConsent {
  readonly by: string;
  readonly at: string;
  readonly note?: string;
}

/** Consents per job are bounded so the job item stays small; a job needs a handful at most. */
export const MAX_DDL_CONSENTS = 50;

export interface AbortRequest {
  readonly by: string;
  readonly at: string;
  readonly reason?: string;
}

/** The one item per job. */
export interface JobState {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly statusReason?: string;
  readonly lease?: Lease;
  /** Highest fencing token ever issued for this job. */
  readonly lastToken: number;
  readonly checkpoint?: Checkpoint;
  readonly pauseRequests: readonly PauseRequest[];
  readonly abortRequest?: AbortRequest;
  readonly approval?: Approval;
  /** DDL statement fingerprint (`ddl1-...`) -> the operator's consent to run it. */
  readonly ddlConsents?: Readonly<Record<string, DdlConsent>>;
  /** Rows the preflight expected to touch, for progress. */
  readonly estimatedRows?: number;
  readonly updatedAt: string;
}

/**
 * One apply step's history: the transactions one ApplyBatch invocation committed, summarised.
 * `batchNo` is the last transaction's (the record's key), `firstBatchNo` the first's; rows are
 * summed, `durationMs` runs from the first transaction's start to the last one's end.
 */
export interface BatchRecord {
  readonly batchNo: number;
  /** The first transaction of the invocation (absent on records written before sub-batches: one transaction). */
  readonly firstBatchNo?: number;
  /** Transactions the invocation committed (absent: 1). */
  readonly transactions?: number;
  /** The longest of them, in milliseconds: how long the invocation held row locks at once at most. */
  readonly longestTransactionMs?: number;
  /** Application sessions seen waiting on our locks: the most at one sample of any transaction (absent: not sampled). */
  readonly blockedSessions?: number;
  /** The longest such wait seen, in milliseconds. */
  readonly longestBlockedWaitMs?: number;
  readonly firstKey: Key;
  readonly lastKey: Key;
  readonly selected: number;
  readonly affected: number;
  readonly durationMs: number;
  readonly retries: number;
  readonly batchSize: number;
  readonly executionId: string;
  /** ISO time the batch committed (its end); the rate and ETA are measured between these. */
  readonly at: string;
  /**
   * The replica lag the health gate measured right before this batch, the largest over the
   * replicas; absent when the job has no replicas or none could be read.
   */
  readonly replicaLagSeconds?: number;
}

export type RunOutcome =
  | 'running'
  | 'completed'
  | 'paused'
  | 'aborted'
  | 'failed'
  | 'blocked'
  | 'lease-held'
  | 'window-closed'
  | 'continued';

export interface RunRecord {
  readonly executionId: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly outcome: RunOutcome;
  readonly reason?: string;
}

export interface Progress {
  readonly rowsDone: number;
  readonly estimatedRows?: number;
  /** Over the recent batches; undefined before there are any. */
  readonly rowsPerSecond?: number;
  /** Seconds left at the recent rate; undefined when unknown. */
  readonly etaSeconds?: number;
  readonly percent?: number;
}

/** Thrown when a write needs a lease the caller no longer holds (another owner, expired, or stale token). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** Thrown for a status change the lifecycle table does not allow. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly jobId: string,
    readonly from: JobStatus,
    readonly to: JobStatus,
    /** What the operator can do about it; appended to the message. */
    readonly detail?: string,
  ) {
    super(`job '${jobId}' cannot go from ${from} to ${to}${detail ? `: ${detail}` : ''}`);
  }
}

/**
 * One step of a run's lifecycle as data: what changes on the job's item, and the run record it
 * closes. The run module decides it (pure functions); `ControlStore.commit` applies the job part in
 * one conditional write.
 */
export interface Transition {
  readonly status?: {
    readonly to: JobStatus;
    readonly reason?: string;
    /** The status to take instead of `to` when the job is in one of `from` (e.g. a window closing on a paused job). */
    readonly instead?: { readonly from: readonly JobStatus[]; readonly to: JobStatus };
    /** Skip the status change (instead of refusing the transition) when the table does not allow it. */
    readonly onlyIfAllowed?: boolean;
    /** Skip it when a live lease belongs to another owner: a stale execution never overwrites a live one's status. */
    readonly unlessLeasedToOtherThan?: string;
  };
  readonly lease?: LeaseChange;
  /** Records this pause request unless one with its reason stands already. */
  readonly pauseRequest?: { readonly reason: PauseReason; readonly by: string; readonly message?: string };
  /** Withdraws the pause request with this reason (only that one), if it stands. */
  readonly clearPause?: PauseReason;
  /** Rows the preflight expects the run to touch, for progress. */
  readonly estimatedRows?: number;
  /** The checkpoint to start from, written only when the job has none yet. */
  readonly initialCheckpoint?: Checkpoint;
  /** Opens the execution's run record (history, a separate item; a retried start records it once). */
  readonly startRun?: { readonly executionId: string };
  /** Closes the execution's run record (history, a separate item). */
  readonly endRun?: { readonly executionId: string; readonly outcome: RunOutcome; readonly reason?: string };
}

/**
 * A transition decided on the job as read (undefined when it has no item), and whether a live
 * execution holds its lease: undefined when nothing is to change. The store decides it afresh
 * when the item changed before its conditional write landed.
 */
export type DecideTransition = (job: JobState | undefined, leaseLive: boolean) => Transition | undefined;

export type LeaseChange =
  /**
   * Takes the lease for `owner` with a raised token, whoever held it: only a transition decided on
   * the job as read (DecideTransition) may carry it, having seen that no other live execution does.
   */
  | { readonly kind: 'acquire'; readonly owner: string; readonly ttlMs: number }
  /** Gives up our lease (or, with `orOwner`, the one we handed to that owner); nothing when it is neither. */
  | { readonly kind: 'release'; readonly lease: Pick<Lease, 'owner' | 'token'>; readonly orOwner?: string }
  /** Releases whatever lease `owner` holds (its execution ended); nothing when it holds none. */
  | { readonly kind: 'release-of'; readonly owner: string }
  /** Hands our lease to `to` with a raised token; LeaseLostError when it is not ours any more. */
  | {
      readonly kind: 'transfer';
      readonly lease: Pick<Lease, 'owner' | 'token'>;
      readonly to: string;
      readonly ttlMs: number;
    };

/** What a commit did: the job as written, and whether it removed a lease. */
export interface Committed {
  readonly state: JobState;
  readonly released: boolean;
}

/** A renewed lease, with the job's state as of the renewal. */
export interface RenewedLease extends Lease {
  readonly job: JobState;
}

/**
 * Ownership and state of jobs. Every write that matters is a conditional write on the job's one
 * item; there are no transactions. Implemented on DynamoDB (and so on dynalite, locally).
 */
export interface ControlStore {
  /** The job's item, or undefined if the job never ran. */
  getJob(jobId: string): Promise<JobState | undefined>;
  /** Creates the item (status idle) if missing; returns it. */
  ensureJob(jobId: string): Promise<JobState>;

  /**
   * Takes the lease when it is free, expired, or already `owner`'s. Every acquisition raises the
   * fencing token, a re-entrant one included: the token names an acquisition, not an owner, so a
   * stale invocation of the same execution (a timed-out Lambda still running) is fenced too.
   */
  acquireLease(jobId: string, owner: string, ttlMs: number): Promise<LeaseResult>;
  /**
   * Extends our lease, keeping its token; throws LeaseLostError when it is no longer ours. A lease
   * that expired but that nobody took over is still ours: the token, not the clock, decides.
   * Returns the renewed lease and the job's state as the renewal wrote it, so a caller that needs
   * both makes one request.
   */
  renewLease(jobId: string, lease: Lease, ttlMs: number): Promise<RenewedLease>;

  /**
   * Saves the checkpoint only while `lease`'s token is the current lease's (an expired lease that
   * nobody took over still is); else LeaseLostError saying who holds the lease now.
   */
  saveCheckpoint(jobId: string, lease: Pick<Lease, 'token'>, checkpoint: Checkpoint): Promise<void>;

  /**
   * Applies a lifecycle transition: its job-item part in one conditional write (re-decided when the
   * item changed meanwhile), then the run record it opens or closes. A transition given as data does
   * nothing on a job without an item; one given as a decision decides on what is there (or not). LeaseLostError for a transfer of a lease
   * that is no longer ours; IllegalTransitionError for a status move the table refuses (unless the
   * transition says to skip it).
   */
  commit(jobId: string, transition: Transition | DecideTransition): Promise<Committed>;

  /**
   * Records a pause request (one per reason: a repeat replaces it). A running or pausing job whose
   * lease is live goes to pausing (its execution applies the pause after the current batch); one
   * with no live execution, or an idle one, goes straight to paused. Other statuses keep theirs.
   */
  requestPause(jobId: string, request: Omit<PauseRequest, 'at'>): Promise<JobState>;
  /**
   * Clears pause requests. Without `force`, clears only the request with `reason` (an operator's
   * resume passes 'operator' and also clears lock-timeouts, replica-lag and window); with `force`
   * clears all, alarms included.
   */
  clearPause(jobId: string, reason: PauseReason, options?: { force?: boolean }): Promise<JobState>;
  /**
   * Records an abort request (the first one is kept). With a live execution (lease held, not
   * expired) a running, pausing or paused job goes to aborting and its execution finishes the
   * abort; otherwise the job goes straight to aborted. A completed job cannot be aborted.
   */
  requestAbort(jobId: string, request: Omit<AbortRequest, 'at'>): Promise<JobState>;
  /**
   * Withdraws the abort request; an aborted job goes back to idle so it may run again, and so does
   * one still aborting whose execution is gone (nothing is left to finish the abort).
   */
  clearAbort(jobId: string, by: string): Promise<JobState>;
  /**
   * Applies what an execution that is gone (lease expired, or its local process dead) can no longer
   * apply itself: aborting becomes aborted, pausing becomes paused. Undefined for an unknown job.
   */
  settleOrphaned(jobId: string): Promise<JobState | undefined>;
  /** Whether an execution holds the job's lease right now, as this store judges it. */
  leaseIsLive(state: JobState): boolean;
  recordApproval(jobId: string, approval: Omit<Approval, 'at'>): Promise<JobState>;
  /**
   * Records an operator's consent to run the DDL statement with this fingerprint as written (a
   * repeat replaces the earlier consent). At most MAX_DDL_CONSENTS per job: beyond that,
   * InvalidControlInputError.
   */
  recordDdlConsent(jobId: string, fingerprint: string, consent: Omit<DdlConsent, 'at'>): Promise<DdlConsent>;
  /** Every consent recorded for the job, by fingerprint (empty when none). */
  ddlConsents(jobId: string): Promise<Readonly<Record<string, DdlConsent>>>;

  /**
   * History, bounded: the oldest records beyond the limit are dropped. Records are keyed by batch
   * number, so a retried append overwrites instead of duplicating; batch numbers must keep rising
   * across the runs of a job (continue from the checkpoint, never restart at 1).
   */
  appendBatch(jobId: string, record: BatchRecord): Promise<void>;
  /** Newest first. */
  listBatches(jobId: string, limit?: number): Promise<BatchRecord[]>;
  /** Newest first. */
  listRuns(jobId: string, limit?: number): Promise<RunRecord[]>;

  progress(jobId: string): Promise<Progress>;
}
