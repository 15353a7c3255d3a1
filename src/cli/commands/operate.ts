import { InvalidControlInputError, JobNotFoundError } from '../../control/errors';
import { type ControlStore, IllegalTransitionError, type JobState } from '../../control/types';
import type { CliContext } from '../context';
import { openControlTarget } from '../control/control-target';
import { BadInputError } from '../errors';
import { operateFleet } from '../fleet/fleet-operate';
import { memberRunIdOf } from '../fleet/fleet-target';
import { resolveJobId } from '../load-job';
import { operatorName } from '../operator';
import { type CommandResult, result } from '../output';
import { type ControlFlags, targetOptions } from './control-options';
import { describeState } from './status';

export type OperatorAction = 'pause' | 'resume' | 'abort' | 'approve';

export interface OperateFlags extends ControlFlags {
  /** pause / abort: why; approve: a note. */
  readonly reason?: string;
  readonly note?: string;
  /** resume: also clear alarm, lag and window pauses. */
  readonly force?: boolean;
  /** resume: withdraw an abort request so the job may run again. */
  readonly clearAbort?: boolean;
  /** A fleet job: act on this member's run only (default: every member). */
  readonly member?: string;
}

const DONE: Readonly<Record<Exclude<OperatorAction, 'resume'>, string>> = {
  pause: 'pause requested: a running job stops after its current batch',
  abort:
    'abort requested: a running job stops after its current batch and does not run again until the abort is cleared',
  approve: 'approval recorded: the job may start',
};

const RESUMED_NEXT = 'start the job again to continue (lowtide run ... --local, or lowtide start)';

/** What a resume took away, said plainly: the abort request, which pauses, or nothing. */
export function describeResume(before: JobState, after: JobState): string {
  const cleared: string[] = [];
  if (before.abortRequest && !after.abortRequest) cleared.push(`abort request by ${before.abortRequest.by}`);
  const left = new Set(after.pauseRequests.map((p) => p.reason));
  const pauses = before.pauseRequests.filter((p) => !left.has(p.reason)).map((p) => `${p.reason} by ${p.by}`);
  if (pauses.length > 0)
    cleared.push(`pause ${pauses.length === 1 ? 'request' : 'requests'} ${pauses.join(', ')}`);
  const done = cleared.length > 0 ? `cleared ${cleared.join('; ')}` : 'nothing to clear';
  const remaining = after.pauseRequests.map((p) => p.reason);
  const still = remaining.length > 0 ? ` (still paused by ${remaining.join(', ')}: --force clears them)` : '';
  return `${done}${still}: ${RESUMED_NEXT}`;
}

async function act(
  action: OperatorAction,
  store: ControlStore,
  jobId: string,
  by: string,
  flags: OperateFlags,
): Promise<{ state: JobState; done: string }> {
  switch (action) {
    case 'pause': {
      await store.ensureJob(jobId);
      const state = await store.requestPause(jobId, { reason: 'operator', by, message: flags.reason });
      return { state, done: DONE.pause };
    }
    case 'resume': {
      const before = await store.getJob(jobId);
      if (!before) throw new JobNotFoundError(jobId);
      if (before.abortRequest || before.status === 'aborted') {
        if (!flags.clearAbort) {
          throw new BadInputError(
            `job '${jobId}' was aborted${before.abortRequest ? ` by ${before.abortRequest.by}` : ''}: pass --clear-abort to let it run again`,
          );
        }
        await store.clearAbort(jobId, by);
      }
      const state = await store.clearPause(jobId, 'operator', { force: Boolean(flags.force) });
      return { state, done: describeResume(before, state) };
    }
    case 'abort': {
      await store.ensureJob(jobId);
      const state = await store.requestAbort(jobId, { by, reason: flags.reason });
      return { state, done: DONE.abort };
    }
    case 'approve': {
      await store.ensureJob(jobId);
      const state = await store.recordApproval(jobId, { by, note: flags.note });
      return { state, done: DONE.approve };
    }
  }
}

/** `lowtide pause|resume|abort|approve <job>`: one request recorded in the control state. */
export async function operateCommand(
  ctx: CliContext,
  action: OperatorAction,
  reference: string,
  flags: OperateFlags,
): Promise<CommandResult> {
  const named = await resolveJobId(reference, ctx.cwd);
  const by = flags.by ?? operatorName(ctx.env);
  const target = await openControlTarget(ctx, targetOptions(flags));
  try {
    const jobId = flags.member === undefined ? named : await memberRunIdOf(target, named, flags.member);
    if (flags.member === undefined) {
      const fleet = (await target.store.getJob(jobId)) ? undefined : await target.roster.get(jobId);
      if (fleet) {
        return await operateFleet(fleet, {
          action,
          read: (runId) => target.store.getJob(runId),
          clearAbort: Boolean(flags.clearAbort),
          act: (runId) => act(action, target.store, runId, by, flags),
          where: target.where,
        });
      }
    }
    const { state, done } = await act(action, target.store, jobId, by, flags);
    const json = { ok: true, action, jobId, by, where: target.where, state };
    return result(
      json,
      `job ${jobId}: ${done}\n${describeState(state, { leaseLive: target.store.leaseIsLive(state) })}`,
    );
  } catch (error) {
    if (error instanceof JobNotFoundError) {
      throw new BadInputError(
        `job '${error.jobId}' has no control state in the ${target.where}: it never ran there`,
        { cause: error },
      );
    }
    if (error instanceof IllegalTransitionError || error instanceof InvalidControlInputError) {
      throw new BadInputError(error.message, { cause: error });
    }
    throw error;
  } finally {
    await target.close();
  }
}
