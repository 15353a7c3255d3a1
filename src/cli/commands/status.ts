import { JobNotFoundError } from '../../control/errors';
import type { BatchRecord, JobState, Progress, RunRecord } from '../../control/types';
import { displayKey } from '../../engine/key-display';
import type { CliContext } from '../context';
import { type ControlTarget, openControlTarget } from '../control/control-target';
import { BadInputError } from '../errors';
import { formatFleetStatus, readFleetStatus } from '../fleet/fleet-status';
import { memberRunIdOf } from '../fleet/fleet-target';
import { count, duration, rate } from '../format/units';
import { resolveJobId } from '../load-job';
import { type CommandResult, result } from '../output';
import { type ControlFlags, targetOptions } from './control-options';

/**
 * The job item, one fact a line. `leaseLive` is the store's judgement (locally it also knows
 * whether the lease's process is still there); without it, the clock decides.
 */
export function describeState(job: JobState, options: { now?: number; leaseLive?: boolean } = {}): string {
  const lines = [`  status      ${job.status}${job.statusReason ? ` (${job.statusReason})` : ''}`];
  const { lease } = job;
  if (lease) {
    const now = options.now ?? Date.now();
    const unexpired = lease.expiresAt > now;
    const live = options.leaseLive ?? unexpired;
    const holder = lease.holder ? `, process ${lease.holder.pid} on ${lease.holder.host}` : '';
    const detail = `${lease.owner} (token ${lease.token}${holder}, until ${new Date(lease.expiresAt).toISOString()})`;
    const gone = !live && unexpired && lease.holder;
    lines.push(
      gone
        ? `  lease       expired: its process is gone: ${detail}; a new run takes it over`
        : `  lease       ${live ? 'held' : 'expired'}: ${detail}`,
    );
  }
  const cp = job.checkpoint;
  if (cp) {
    lines.push(
      `  checkpoint  batch ${cp.batchNo}, last key ${cp.lastKey === null || cp.lastKey === undefined ? '(none)' : displayKey(cp.lastKey)}, ${count(cp.rowsDone)} rows done, next batch size ${count(cp.sizer.size)} (${cp.at})`,
    );
  }
  for (const p of job.pauseRequests) {
    lines.push(`  pause       ${p.reason} by ${p.by} at ${p.at}${p.message ? `: ${p.message}` : ''}`);
  }
  if (job.abortRequest) {
    const a = job.abortRequest;
    lines.push(`  abort       by ${a.by} at ${a.at}${a.reason ? `: ${a.reason}` : ''}`);
  }
  if (job.approval)
    lines.push(
      `  approval    by ${job.approval.by} at ${job.approval.at}${job.approval.note ? `: ${job.approval.note}` : ''}`,
    );
  return lines.join('\n');
}

function describeProgress(progress: Progress): string {
  const parts = [`${count(progress.rowsDone)} rows done`];
  if (progress.estimatedRows !== undefined) parts.push(`of about ${count(progress.estimatedRows)}`);
  if (progress.percent !== undefined) parts.push(`(${progress.percent.toFixed(0)}%)`);
  if (progress.rowsPerSecond !== undefined) parts.push(`at ${rate(progress.rowsPerSecond)}`);
  if (progress.etaSeconds !== undefined) parts.push(`ETA ${duration(progress.etaSeconds * 1000)}`);
  return `  progress    ${parts.join(' ')}`;
}

function describeRun(run: RunRecord): string {
  return `${run.startedAt}  ${run.outcome.padEnd(13)} ${run.executionId}${run.reason ? `  ${run.reason}` : ''}`;
}

/** One history record: an apply step, of one transaction (`batch 7`) or several (`batches 3..7`). */
function describeBatch(b: BatchRecord): string {
  const n = b.transactions ?? 1;
  const which =
    n > 1
      ? `batches ${b.firstBatchNo ?? b.batchNo - n + 1}..${b.batchNo} (${n} transactions)`
      : `batch ${b.batchNo}`;
  const longest =
    n > 1 && b.longestTransactionMs !== undefined ? `, longest ${duration(b.longestTransactionMs)}` : '';
  const blocked = b.blockedSessions
    ? `, blocked ${count(b.blockedSessions)} sessions (longest wait ${duration(b.longestBlockedWaitMs ?? 0)})`
    : '';
  return `${b.at}  ${which}: ${count(b.affected)}/${count(b.selected)} rows, keys ${displayKey(b.firstKey)}..${displayKey(b.lastKey)}, ${duration(b.durationMs)}${longest}, size ${count(b.batchSize)}${blocked}${b.retries ? `, ${b.retries} retries` : ''}`;
}

async function withTarget<T>(
  ctx: CliContext,
  reference: string,
  flags: ControlFlags & { readonly member?: string },
  read: (target: ControlTarget, jobId: string) => Promise<T>,
): Promise<T> {
  const jobId = await resolveJobId(reference, ctx.cwd);
  const target = await openControlTarget(ctx, targetOptions(flags));
  try {
    // `--member NAME`: that member's own run, as any job's.
    const runId = flags.member === undefined ? jobId : await memberRunIdOf(target, jobId, flags.member);
    return await read(target, runId);
  } finally {
    await target.close();
  }
}

function notFound(jobId: string, where: string): BadInputError {
  return new BadInputError(`job '${jobId}' has no control state in the ${where}: it never ran there`, {
    cause: new JobNotFoundError(jobId),
  });
}

/** `lowtide status <job>`: status, lease, checkpoint, requests, progress and the last run. */
export async function statusCommand(
  ctx: CliContext,
  reference: string,
  flags: ControlFlags & { readonly member?: string },
): Promise<CommandResult> {
  return withTarget(ctx, reference, flags, async ({ store, where, local, roster }, jobId) => {
    // Locally the run's process is known: one that died mid-pause or mid-abort is settled here.
    const job = local ? await store.settleOrphaned(jobId) : await store.getJob(jobId);
    const fleet = job || flags.member !== undefined ? undefined : await roster.get(jobId);
    if (fleet) {
      const status = await readFleetStatus(store, fleet, local);
      return result({ ok: true, jobId, where, fleet: status }, formatFleetStatus(status, where));
    }
    if (!job) throw notFound(jobId, where);
    const [progress, runs] = await Promise.all([store.progress(jobId), store.listRuns(jobId, 1)]);
    const leaseLive = job.lease ? store.leaseIsLive(job) : undefined;
    const text = [
      `job ${jobId} (${where})`,
      describeState(job, { leaseLive }),
      describeProgress(progress),
      ...(runs[0] ? [`  last run    ${describeRun(runs[0])}`] : []),
    ].join('\n');
    return result({ ok: true, jobId, where, state: job, leaseLive, progress, lastRun: runs[0] }, text);
  });
}

export interface HistoryFlags extends ControlFlags {
  readonly limit?: string;
  readonly member?: string;
}

/** `lowtide history <job>`: recent runs and batches, newest first. */
export async function historyCommand(
  ctx: CliContext,
  reference: string,
  flags: HistoryFlags,
): Promise<CommandResult> {
  const limit = flags.limit === undefined ? 20 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new BadInputError(`--limit must be a whole number from 1 to 1000; got '${flags.limit}'`);
  }
  return withTarget(ctx, reference, flags, async ({ store, where }, jobId) => {
    const job = await store.getJob(jobId);
    if (!job) throw notFound(jobId, where);
    const [runs, batches] = await Promise.all([
      store.listRuns(jobId, limit),
      store.listBatches(jobId, limit),
    ]);
    const text = [
      `job ${jobId} (${where})`,
      'runs (newest first):',
      ...(runs.length ? runs.map((r) => `  ${describeRun(r)}`) : ['  none']),
      'batches (newest first):',
      ...(batches.length ? batches.map((b) => `  ${describeBatch(b)}`) : ['  none']),
    ].join('\n');
    return result({ ok: true, jobId, where, runs, batches }, text);
  });
}
