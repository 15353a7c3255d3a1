import { InvalidControlInputError, JobNotFoundError } from '../../control/errors';
import { type ControlStore, IllegalTransitionError, type JobState } from '../../control/types';
import type { CliContext } from '../context';
import { openControlTarget } from '../control/control-target';
import { BadInputError } from '../errors';
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
}

const DONE: Readonly<Record<OperatorAction, string>> = {
  pause: 'pause requested: a running job stops after its current batch',
  resume: 'pause cleared: start the job again to continue (lowtide run ... --local, or lowtide start)',
  abort:
    'abort requested: a running job stops after its current batch and does not run again until the abort is cleared',
  approve: 'approval recorded: the job may start',
};

async function act(
  action: OperatorAction,
  store: ControlStore,
  jobId: string,
  by: string,
  flags: OperateFlags,
): Promise<JobState> {
  switch (action) {
    case 'pause':
      await store.ensureJob(jobId);
      return store.requestPause(jobId, { reason: 'operator', by, message: flags.reason });
    case 'resume': {
      const job = await store.getJob(jobId);
      if (!job) throw new JobNotFoundError(jobId);
      if (job.abortRequest || job.status === 'aborted') {
        if (!flags.clearAbort) {
          throw new BadInputError(
            `job '${jobId}' was aborted${job.abortRequest ? ` by ${job.abortRequest.by}` : ''}: pass --clear-abort to let it run again`,
          );
        }
        await store.clearAbort(jobId, by);
      }
      return store.clearPause(jobId, 'operator', { force: Boolean(flags.force) });
    }
    case 'abort':
      await store.ensureJob(jobId);
      return store.requestAbort(jobId, { by, reason: flags.reason });
    case 'approve':
      await store.ensureJob(jobId);
      return store.recordApproval(jobId, { by, note: flags.note });
  }
}

/** `lowtide pause|resume|abort|approve <job>`: one request recorded in the control state. */
export async function operateCommand(
  ctx: CliContext,
  action: OperatorAction,
  reference: string,
  flags: OperateFlags,
): Promise<CommandResult> {
  const jobId = await resolveJobId(reference, ctx.cwd);
  const by = flags.by ?? operatorName(ctx.env);
  const target = await openControlTarget(ctx, targetOptions(flags));
  try {
    const job = await act(action, target.store, jobId, by, flags);
    const json = { ok: true, action, jobId, by, where: target.where, state: job };
    return result(json, `job ${jobId}: ${DONE[action]}\n${describeState(job)}`);
  } catch (error) {
    if (error instanceof JobNotFoundError) {
      throw new BadInputError(
        `job '${jobId}' has no control state in the ${target.where}: it never ran there`,
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
