import { isPauseReason } from '../../control/job-item';
import type { JobStatus } from '../../control/types';
import { type RunState, runStateSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { causeText } from '../error-cause';
import { InvalidPayloadError } from '../errors';
import { resolveRunJob } from '../run-job';
import { siblingExecutionArn } from '../run-naming';
import { type Successor, successorOf } from '../successor';
import { parsePayload, requireLease } from './common';

/** A run out of time goes idle, to resume at the next start; one already waiting out a pause stays paused. */
function statusAfter(outcome: 'paused' | 'aborted' | 'window-closed', current: JobStatus): JobStatus {
  if (outcome !== 'window-closed') return outcome;
  return current === 'paused' || current === 'pausing' ? 'paused' : 'idle';
}

/**
 * Every clean stop. The checkpoint stays; the status, the run record and (for lock timeouts) a
 * pause request say why. A continuation hands the lease straight to the successor's execution, so
 * no other start can slip in between, and names the successor for ContinueAsNew.
 */
export async function stopRun(
  payload: unknown,
  deps: HandlerDeps,
): Promise<RunState & { successor?: Successor }> {
  const run = parsePayload(runStateSchema, payload, 'StopRun payload');
  const lease = requireLease(run, 'StopRun');
  if (!run.stop) throw new InvalidPayloadError('StopRun needs a stop: { outcome, reason } in its payload');
  const spec = resolveRunJob(deps, run);
  const { store } = deps;
  const { outcome, pauseReason } = run.stop;
  const cause = (run.error as { Cause?: unknown } | undefined)?.Cause;
  const reason = cause === undefined ? run.stop.reason : `${run.stop.reason}: ${causeText(cause)}`;
  deps.logger.info('run stopping', { jobId: spec.id, outcome, reason });

  if (outcome === 'continued') {
    const successor = successorOf(run);
    await store.transferLease(
      spec.id,
      lease,
      siblingExecutionArn(run.execution.id, successor.name),
      deps.settings.leaseTtlMs,
    );
    await store.endRun(spec.id, run.execution.id, 'continued', `continued as ${successor.name}`);
    return { ...run, decision: 'continued', successor };
  }
  const job = await store.ensureJob(spec.id);
  if (pauseReason && isPauseReason(pauseReason) && !job.pauseRequests.some((r) => r.reason === pauseReason)) {
    await store.requestPause(spec.id, { reason: pauseReason, by: run.execution.id, message: reason });
  }
  await store.setStatus(spec.id, statusAfter(outcome, job.status), reason);
  await store.releaseLease(spec.id, lease);
  await store.endRun(spec.id, run.execution.id, outcome, reason);
  return { ...run, decision: outcome };
}
