import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeCheckpoint } from './checkpoint';
import { InvalidControlInputError, JobNotFoundError } from './errors';
import { History } from './history';
import { JOB_ITEM_SK, jobPk } from './item-keys';
import { ATTR, clip, compact, decodeJob, emptyJob, initJobItem, type JobItem, leaseIsLive } from './job-item';
import { type Decision, optimisticWrite } from './optimistic';
import { computeProgress, RATE_WINDOW } from './progress';
import {
  decideAbort,
  decideClearAbort,
  decideClearPause,
  decideOrphaned,
  decidePause,
  type JobChange,
} from './requests';
import { type RetryOptions, withRetry } from './retry';
import { allowedFrom, assertTransition, isJobStatus } from './status';
import { decideTransition, lostLease, type TransitionChange } from './transition';
import {
  type AbortRequest,
  type Approval,
  type BatchRecord,
  type Checkpoint,
  type Committed,
  type ControlStore,
  type DdlConsent,
  type DecideTransition,
  IllegalTransitionError,
  type JobState,
  type JobStatus,
  type Lease,
  LeaseLostError,
  type LeaseResult,
  type LocalLeaseHolders,
  MAX_DDL_CONSENTS,
  type PauseReason,
  type PauseRequest,
  type Progress,
  type RenewedLease,
  type RunOutcome,
  type RunRecord,
  type Transition,
} from './types';
import { UpdateExpression } from './update-expression';

export interface DynamoControlStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds; lease expiry is compared against it. Injectable so tests can move time. */
  readonly now?: () => number;
  /** Batch records kept per job (default 500). */
  readonly historyLimit?: number;
  /** Run records kept per job (default 100). */
  readonly runHistoryLimit?: number;
  /** Backoff for transient DynamoDB errors. Give the SDK client few retries of its own (maxAttempts 1 or 2). */
  readonly retry?: RetryOptions;
  /**
   * The local control state only: leases name the process that took them, and one whose process
   * is gone counts as expired at once (taken over with a new token; pause and abort act as if no
   * execution ran). Absent on AWS, where only the clock ends a lease.
   */
  readonly holders?: LocalLeaseHolders;
}

/** Losing the same conditional write this often means a writer in a loop, not ordinary contention. */
const MAX_DECISIONS = 5;

/**
 * Pause and abort requests can arrive in bursts (an alarm storm: one event per alarm, all at once),
 * so the read-decide-writes that lose get more chances, spread out by a short jittered wait.
 */
const MAX_REQUEST_DECISIONS = 16;
const REQUEST_BACKOFF: RetryOptions = { baseDelayMs: 5, maxDelayMs: 100 };

/**
 * The control store on one DynamoDB table. Each decision about ownership or state is one
 * conditional UpdateItem on the job's item; when its condition fails the item is read back once
 * (consistently) to say why: held by another owner, lease lost, illegal transition. Only a write
 * that lost a race to a change which makes it valid again is decided afresh, never resent blindly.
 */
export class DynamoControlStore implements ControlStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly retry: RetryOptions | undefined;
  private readonly history: History;
  private readonly holders: LocalLeaseHolders | undefined;

  constructor(options: DynamoControlStoreOptions) {
    this.client = options.client;
    this.holders = options.holders;
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
    this.retry = options.retry;
    const batchLimit = positiveLimit('historyLimit', options.historyLimit ?? 500);
    const runLimit = positiveLimit('runHistoryLimit', options.runHistoryLimit ?? 100);
    this.history = new History({
      client: this.client,
      tableName: this.tableName,
      batchLimit,
      runLimit,
      retry: this.retry,
      now: this.now,
    });
  }

  async getJob(jobId: string): Promise<JobState | undefined> {
    return (await this.read(jobId))?.state;
  }

  async ensureJob(jobId: string): Promise<JobState> {
    const at = this.at(this.now());
    const u = initJobItem(new UpdateExpression(), jobId, at)
      .setIfMissing(ATTR.version, 0)
      .setIfMissing(ATTR.updatedAt, at);
    return (await this.update('ensureJob', jobId, u)).state;
  }

  // --- lease ---

  async acquireLease(jobId: string, owner: string, ttlMs: number): Promise<LeaseResult> {
    requireText('lease owner', owner);
    requireTtl(ttlMs);
    // The first write assumes the lease is free, expired or ours; a later one takes over a lease
    // whose local process is gone, conditioned on that very lease (owner and token) still standing.
    const take = (orphan?: Pick<Lease, 'owner' | 'token'>): Decision<LeaseResult, JobItem> => {
      const now = this.now();
      const u = initJobItem(new UpdateExpression(), jobId, this.at(now), [ATTR.lastToken])
        .setIncremented(ATTR.lastToken, ATTR.lastToken, 1)
        .setIncremented(ATTR.leaseToken, ATTR.lastToken, 1)
        .set(ATTR.leaseOwner, owner)
        .set(ATTR.leaseExpiresAt, now + ttlMs)
        .setOrRemove(ATTR.leaseHolder, this.holders?.self)
        .set(ATTR.updatedAt, this.at(now))
        .add(ATTR.version, 1);
      const heldBy = u.name(ATTR.leaseOwner);
      u.condition(
        orphan
          ? `${heldBy} = ${u.value(orphan.owner)} AND ${u.name(ATTR.leaseToken)} = ${u.value(orphan.token)}`
          : `attribute_not_exists(${heldBy}) OR ${u.name(ATTR.leaseExpiresAt)} < ${u.value(now)} OR ${heldBy} = ${u.value(owner)}`,
      );
      return { write: u, done: (written) => ({ acquired: true, lease: written.state.lease! }) };
    };
    return optimisticWrite({
      ...this.decisions(jobId, 'acquireLease', MAX_DECISIONS),
      first: take(),
      decide: (item) => {
        const state = item?.state;
        const lease = state?.lease;
        if (state && lease && lease.owner !== owner && lease.expiresAt >= this.now()) {
          if (!leaseIsLive(state, this.now(), this.holders)) return take(lease);
          return { answer: { acquired: false, heldBy: lease.owner, expiresAt: lease.expiresAt } };
        }
        // Released or expired between the write and the read: decide again on what is there now.
        return take();
      },
    });
  }

  async renewLease(jobId: string, lease: Lease, ttlMs: number): Promise<RenewedLease> {
    requireTtl(ttlMs);
    const now = this.now();
    const u = this.ours(lease)
      .set(ATTR.leaseExpiresAt, now + ttlMs)
      .set(ATTR.updatedAt, this.at(now))
      .add(ATTR.version, 1);
    const written = await this.conditionalUpdate('renewLease', jobId, u);
    if (!written) {
      throw new LeaseLostError(await this.lostLeaseNow(jobId, lease, 'renew the lease'));
    }
    return { owner: lease.owner, token: lease.token, expiresAt: now + ttlMs, job: written.state };
  }

  async releaseLeaseOf(jobId: string, owner: string): Promise<boolean> {
    requireText('lease owner', owner);
    const u = new UpdateExpression();
    u.condition(`${u.name(ATTR.leaseOwner)} = ${u.value(owner)}`);
    return this.removeLease('releaseLeaseOf', jobId, u);
  }

  // --- checkpoint ---

  async saveCheckpoint(jobId: string, lease: Pick<Lease, 'token'>, checkpoint: Checkpoint): Promise<void> {
    const stored = encodeCheckpoint(jobId, checkpoint);
    const u = new UpdateExpression().set(ATTR.checkpoint, stored).set(ATTR.updatedAt, this.at(this.now()));
    // The token alone decides: it changes with every acquisition, so a stale holder cannot match it.
    u.condition(`${u.name(ATTR.leaseToken)} = ${u.value(lease.token)}`);
    if (!(await this.conditionalUpdate('saveCheckpoint', jobId, u))) {
      throw new LeaseLostError(
        await this.lostLeaseNow(jobId, lease, `save the checkpoint of batch ${checkpoint.batchNo}`),
      );
    }
  }

  // --- status ---

  async setStatus(jobId: string, to: JobStatus, reason?: string): Promise<JobState> {
    if (!isJobStatus(to)) throw new InvalidControlInputError(`'${to}' is not a job status`);
    const move = (): Decision<JobState, JobItem> => {
      const u = new UpdateExpression()
        .set(ATTR.status, to)
        .setOrRemove(ATTR.statusReason, clip(reason))
        .set(ATTR.updatedAt, this.at(this.now()))
        .add(ATTR.version, 1);
      const from = allowedFrom(to).map((s) => u.value(s));
      u.condition(`${u.name(ATTR.status)} IN (${from.join(', ')})`);
      if (to === 'running') u.condition(`attribute_not_exists(${u.name(ATTR.abortRequest)})`);
      return { write: u, done: (written) => written.state };
    };
    return optimisticWrite({
      ...this.decisions(jobId, 'setStatus', MAX_DECISIONS),
      first: move(),
      decide: (item) => {
        const current = item?.state;
        if (!current) throw new JobNotFoundError(jobId);
        assertTransition(jobId, current.status, to);
        if (to === 'running' && current.abortRequest) {
          const { by, at } = current.abortRequest;
          throw new IllegalTransitionError(
            jobId,
            current.status,
            to,
            `${by} asked for an abort at ${at}; clear it (clearAbort) before running this job again`,
          );
        }
        // The status moved to one from which `to` is allowed after all: decide again.
        return move();
      },
    });
  }

  // --- transitions ---

  async commit(jobId: string, transition: Transition | DecideTransition): Promise<Committed> {
    const decide = typeof transition === 'function' ? transition : undefined;
    let decided = typeof transition === 'function' ? undefined : transition;
    if (decided) requireLeaseChange(decided);
    let released = false;
    const state = await this.decideAndWrite(
      jobId,
      'commit',
      (current, live, at, exists) => {
        released = false;
        if (decide) {
          decided = decide(exists ? current : undefined, live);
          if (decided) requireLeaseChange(decided);
        } else if (!exists) return undefined;
        if (!decided) return undefined;
        const change = decideTransition(jobId, current, decided, this.now(), at);
        released = change.released;
        return hasEffect(change) ? change : undefined;
      },
      { ensure: false },
    );
    // Run records are items of their own (history, one per run, trimmed to a bound), so they cannot
    // join the job item's conditional write: DynamoDB conditions hold for one item, and dynalite
    // has no transactions. They follow the job item's write; startRun recognises a run it recorded
    // already and endRun finds and overwrites the same record, so a retried step (a lost response)
    // writes them again without a duplicate.
    const run = decided as Transition | undefined;
    if (run?.startRun) await this.history.startRun(jobId, run.startRun.executionId);
    if (run?.endRun)
      await this.history.endRun(jobId, run.endRun.executionId, run.endRun.outcome, run.endRun.reason);
    return { state, released };
  }

  // --- requests ---

  requestPause(jobId: string, request: Omit<PauseRequest, 'at'>): Promise<JobState> {
    return this.decideAndWrite(jobId, 'requestPause', (state, live, at) =>
      decidePause(state, request, live, at),
    );
  }

  clearPause(jobId: string, reason: PauseReason, options: { force?: boolean } = {}): Promise<JobState> {
    return this.decideAndWrite(jobId, 'clearPause', (state) =>
      decideClearPause(state, reason, options.force === true),
    );
  }

  requestAbort(jobId: string, request: Omit<AbortRequest, 'at'>): Promise<JobState> {
    return this.decideAndWrite(jobId, 'requestAbort', (state, live, at) =>
      decideAbort(state, request, live, at),
    );
  }

  clearAbort(jobId: string, by: string): Promise<JobState> {
    return this.decideAndWrite(jobId, 'clearAbort', (state, live) => decideClearAbort(state, by, live));
  }

  async settleOrphaned(jobId: string): Promise<JobState | undefined> {
    if (!(await this.read(jobId))) return undefined;
    return this.decideAndWrite(jobId, 'settleOrphaned', (state, live) => decideOrphaned(state, live));
  }

  leaseIsLive(state: JobState): boolean {
    return leaseIsLive(state, this.now(), this.holders);
  }

  async recordApproval(jobId: string, approval: Omit<Approval, 'at'>): Promise<JobState> {
    requireText('approver (by)', approval.by);
    const at = this.at(this.now());
    const u = initJobItem(new UpdateExpression(), jobId, at)
      .setIfMissing(ATTR.version, 0)
      .set(ATTR.approval, compact({ by: approval.by, at, note: clip(approval.note) }))
      .set(ATTR.updatedAt, at);
    return (await this.update('recordApproval', jobId, u)).state;
  }

  async recordDdlConsent(
    jobId: string,
    fingerprint: string,
    consent: Omit<DdlConsent, 'at'>,
  ): Promise<DdlConsent> {
    requireText('consenting operator (by)', consent.by);
    if (!DDL_FINGERPRINT.test(fingerprint)) {
      throw new InvalidControlInputError(
        `'${fingerprint}' is not a DDL statement fingerprint: copy it from the guard's finding (ddl1- and 16 hex digits)`,
      );
    }
    return optimisticWrite({
      ...this.decisions(jobId, 'recordDdlConsent', MAX_DECISIONS),
      read: () => this.readConsents(jobId),
      decide: (raw): Decision<DdlConsent, JobItem> => {
        const consents = { ...raw.consents };
        if (!(fingerprint in consents) && Object.keys(consents).length >= MAX_DDL_CONSENTS) {
          throw new InvalidControlInputError(
            `job '${jobId}' already holds ${MAX_DDL_CONSENTS} DDL consents, the most one job item keeps: split the job's DDL into smaller jobs`,
          );
        }
        const at = this.at(this.now());
        const recorded = compact({ by: consent.by, at, note: clip(consent.note) });
        consents[fingerprint] = recorded;
        const u = initJobItem(new UpdateExpression(), jobId, at)
          .setIfMissing(ATTR.version, 0)
          .set(ATTR.ddlConsents, consents)
          .set(ATTR.ddlConsentSeq, raw.seq + 1)
          .set(ATTR.updatedAt, at);
        // The whole map is rewritten, so it is written only over the map that was read.
        const seq = u.name(ATTR.ddlConsentSeq);
        u.condition(raw.seq === 0 ? `attribute_not_exists(${seq})` : `${seq} = ${u.value(raw.seq)}`);
        return { write: u, done: () => recorded };
      },
    });
  }

  async ddlConsents(jobId: string): Promise<Readonly<Record<string, DdlConsent>>> {
    return (await this.readConsents(jobId)).consents;
  }

  async setEstimate(jobId: string, estimatedRows: number): Promise<void> {
    if (!Number.isSafeInteger(estimatedRows) || estimatedRows < 0) {
      throw new InvalidControlInputError(
        `estimated rows must be a non-negative integer, not ${estimatedRows}`,
      );
    }
    const at = this.at(this.now());
    const u = initJobItem(new UpdateExpression(), jobId, at)
      .setIfMissing(ATTR.version, 0)
      .set(ATTR.estimatedRows, estimatedRows)
      .set(ATTR.updatedAt, at);
    await this.update('setEstimate', jobId, u);
  }

  // --- history and progress ---

  appendBatch(jobId: string, record: BatchRecord): Promise<void> {
    return this.history.appendBatch(jobId, record);
  }

  listBatches(jobId: string, limit?: number): Promise<BatchRecord[]> {
    return this.history.listBatches(jobId, limit);
  }

  startRun(jobId: string, executionId: string): Promise<void> {
    return this.history.startRun(jobId, executionId);
  }

  endRun(jobId: string, executionId: string, outcome: RunOutcome, reason?: string): Promise<void> {
    return this.history.endRun(jobId, executionId, outcome, reason);
  }

  listRuns(jobId: string, limit?: number): Promise<RunRecord[]> {
    return this.history.listRuns(jobId, limit);
  }

  async progress(jobId: string): Promise<Progress> {
    const [state, recentBatches] = await Promise.all([
      this.getJob(jobId),
      this.listBatches(jobId, RATE_WINDOW),
    ]);
    return computeProgress({
      rowsDone: state?.checkpoint?.rowsDone ?? 0,
      estimatedRows: state?.estimatedRows,
      recentBatches,
      finished: state?.status === 'completed',
    });
  }

  // --- plumbing ---

  private at(nowMs: number): string {
    return new Date(nowMs).toISOString();
  }

  private async readConsents(jobId: string): Promise<{ consents: Record<string, DdlConsent>; seq: number }> {
    const out = await withRetry(
      'ddlConsents',
      () =>
        this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { pk: jobPk(jobId), sk: JOB_ITEM_SK },
            ConsistentRead: true,
            ProjectionExpression: '#c, #s',
            ExpressionAttributeNames: { '#c': ATTR.ddlConsents, '#s': ATTR.ddlConsentSeq },
          }),
        ),
      this.retry,
    );
    return {
      consents: (out.Item?.[ATTR.ddlConsents] as Record<string, DdlConsent> | undefined) ?? {},
      seq: Number(out.Item?.[ATTR.ddlConsentSeq] ?? 0),
    };
  }

  private async read(jobId: string): Promise<JobItem | undefined> {
    const out = await withRetry(
      'getJob',
      () =>
        this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { pk: jobPk(jobId), sk: JOB_ITEM_SK },
            ConsistentRead: true,
          }),
        ),
      this.retry,
    );
    return out.Item ? decodeJob(out.Item) : undefined;
  }

  private async update(operation: string, jobId: string, u: UpdateExpression): Promise<JobItem> {
    const key = { pk: jobPk(jobId), sk: JOB_ITEM_SK };
    const out = await withRetry(
      operation,
      () =>
        this.client.send(
          new UpdateCommand({ TableName: this.tableName, Key: key, ...u.build(), ReturnValues: 'ALL_NEW' }),
        ),
      this.retry,
    );
    return decodeJob(out.Attributes ?? {});
  }

  /** The written item, or undefined when the condition failed (sent once: a failed condition is an answer). */
  private async conditionalUpdate(
    operation: string,
    jobId: string,
    u: UpdateExpression,
  ): Promise<JobItem | undefined> {
    try {
      return await this.update(operation, jobId, u);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** A fresh expression conditioned on `lease` being the current one. */
  private ours(lease: Pick<Lease, 'owner' | 'token'>): UpdateExpression {
    requireText('lease owner', lease.owner);
    const u = new UpdateExpression();
    u.condition(
      `${u.name(ATTR.leaseOwner)} = ${u.value(lease.owner)} AND ${u.name(ATTR.leaseToken)} = ${u.value(lease.token)}`,
    );
    return u;
  }

  private async removeLease(operation: string, jobId: string, u: UpdateExpression): Promise<boolean> {
    u.remove(ATTR.leaseOwner).remove(ATTR.leaseToken).remove(ATTR.leaseExpiresAt).remove(ATTR.leaseHolder);
    u.set(ATTR.updatedAt, this.at(this.now())).add(ATTR.version, 1);
    return (await this.conditionalUpdate(operation, jobId, u)) !== undefined;
  }

  /** Why a write under `token` was refused, for the LeaseLostError an operator will read. */
  private async lostLeaseNow(jobId: string, lease: Pick<Lease, 'token'>, what: string): Promise<string> {
    return lostLease(jobId, (await this.read(jobId))?.state, lease, what);
  }

  /**
   * Read, decide, write conditioned on the item's version, so a decision is never based on a state
   * that changed before it was written. A lost race means deciding again on the new state.
   */
  private async decideAndWrite(
    jobId: string,
    operation: string,
    /**
     * `live`: whether an execution holds the lease right now (see leaseIsLive); `exists`: whether
     * the item was there (else `state` is an empty job).
     */
    decide: (
      state: JobState,
      live: boolean,
      at: string,
      exists: boolean,
    ) => TransitionChange | JobChange | undefined,
    /** Without a change to write, create the missing item (true) or answer with an empty job. */
    { ensure = true }: { ensure?: boolean } = {},
  ): Promise<JobState> {
    return optimisticWrite({
      ...this.decisions(jobId, operation, MAX_REQUEST_DECISIONS),
      backoff: REQUEST_BACKOFF,
      decide: async (current): Promise<Decision<JobState, JobItem>> => {
        const now = this.now();
        const at = this.at(now);
        const state = current?.state ?? emptyJob(jobId);
        const change = decide(state, leaseIsLive(state, now, this.holders), at, current !== undefined);
        if (!change) return { answer: current?.state ?? (ensure ? await this.ensureJob(jobId) : state) };
        const u = new UpdateExpression();
        if (current) {
          const version = u.name(ATTR.version);
          const seen = u.value(current.version);
          u.condition(
            current.version === 0
              ? `attribute_not_exists(${version}) OR ${version} = ${seen}`
              : `${version} = ${seen}`,
          );
        } else {
          u.condition(`attribute_not_exists(${u.name(ATTR.pk)})`);
          const ownAttributes: string[] = [];
          if (change.status !== undefined) ownAttributes.push(ATTR.status);
          if (change.pauseRequests !== undefined) ownAttributes.push(ATTR.pauseRequests);
          if ('lastToken' in change && change.lastToken !== undefined) ownAttributes.push(ATTR.lastToken);
          initJobItem(u, jobId, at, ownAttributes);
        }
        applyChange(u, jobId, change, this.holders);
        u.set(ATTR.updatedAt, at).add(ATTR.version, 1);
        return { write: u, done: (written) => written.state };
      },
    });
  }

  /** Reading the job item and writing it conditionally, for optimisticWrite. */
  private decisions(jobId: string, operation: string, attempts: number) {
    return {
      jobId,
      operation,
      attempts,
      read: () => this.read(jobId),
      write: (u: UpdateExpression) => this.conditionalUpdate(operation, jobId, u),
    };
  }
}

const DDL_FINGERPRINT = /^ddl[0-9]+-[0-9a-f]{16}$/;

function hasEffect(change: TransitionChange): boolean {
  return (
    change.lease !== undefined ||
    change.status !== undefined ||
    change.pauseRequests !== undefined ||
    change.checkpoint !== undefined ||
    change.estimatedRows !== undefined
  );
}

function requireLeaseChange({ lease }: Transition): void {
  if (lease?.kind !== 'transfer' && lease?.kind !== 'acquire') return;
  requireText(
    lease.kind === 'transfer' ? 'next lease owner' : 'lease owner',
    lease.kind === 'transfer' ? lease.to : lease.owner,
  );
  requireTtl(lease.ttlMs);
}

function applyChange(
  u: UpdateExpression,
  jobId: string,
  change: TransitionChange | JobChange,
  holders: LocalLeaseHolders | undefined,
): void {
  if ('lease' in change && change.lease === null) {
    u.remove(ATTR.leaseOwner).remove(ATTR.leaseToken).remove(ATTR.leaseExpiresAt).remove(ATTR.leaseHolder);
  } else if ('lease' in change && change.lease) {
    u.set(ATTR.leaseOwner, change.lease.owner)
      .set(ATTR.leaseToken, change.lease.token)
      .set(ATTR.leaseExpiresAt, change.lease.expiresAt)
      .setOrRemove(ATTR.leaseHolder, holders?.self);
  }
  if ('lastToken' in change && change.lastToken !== undefined) u.set(ATTR.lastToken, change.lastToken);
  if ('checkpoint' in change && change.checkpoint)
    u.set(ATTR.checkpoint, encodeCheckpoint(jobId, change.checkpoint));
  if ('estimatedRows' in change && change.estimatedRows !== undefined)
    u.set(ATTR.estimatedRows, change.estimatedRows);
  if (change.status !== undefined) u.set(ATTR.status, change.status);
  if (change.statusReason === null) u.remove(ATTR.statusReason);
  else if (change.statusReason !== undefined) u.set(ATTR.statusReason, clip(change.statusReason));
  if (change.pauseRequests !== undefined) u.set(ATTR.pauseRequests, change.pauseRequests.map(compact));
  if (change.abortRequest === null) u.remove(ATTR.abortRequest);
  else if (change.abortRequest !== undefined) u.set(ATTR.abortRequest, compact(change.abortRequest));
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function requireText(what: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidControlInputError(`${what} must be a non-empty string`);
}

function requireTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new InvalidControlInputError(`lease ttl must be a positive number of milliseconds, not ${ttlMs}`);
  }
}

function positiveLimit(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidControlInputError(`${name} must be a positive integer, not ${value}`);
  return value;
}
