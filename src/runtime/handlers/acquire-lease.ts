import type { LeaseHeld } from '../../run/on-contention';
import { start, started } from '../../run/start';
import { type RunState, runStateSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { resolveRunJob } from '../runnable/work-ref';
import { initialCheckpoint, parsePayload } from './common';

/**
 * Takes the job's lease (a new fencing token) and marks the run started, in one conditional write
 * (src/run/start.ts). A lease held by a live execution ends this one as LeaseHeld without a write:
 * a duplicate start is a no-op. A continued execution finds the lease already handed to it.
 */
export async function acquireLease(payload: unknown, deps: HandlerDeps): Promise<RunState | LeaseHeld> {
  const { plan, blocked: _blocked, ...run } = parsePayload(runStateSchema, payload, 'AcquireLease payload');
  const spec = resolveRunJob(deps, run);
  const from = initialCheckpoint(spec, deps.now());
  const decided = start({ run, plan, ttlMs: deps.settings.leaseTtlMs, initialCheckpoint: from });
  const { state } = await deps.store.commit(spec.id, decided);
  const next = started(run, state);
  const jobId = spec.id;
  if ('heldBy' in next) deps.logger.info('lease held by another execution', { jobId, heldBy: next.heldBy });
  else
    deps.logger.info('lease acquired', {
      jobId,
      token: next.lease?.token,
      fromBatch: state.checkpoint?.batchNo,
    });
  return next;
}
