import { payloadLease, type RunState, runStateSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { resolveRunJob } from '../work/work-ref';
import { initialCheckpoint, parsePayload } from './common';

export type AcquireLeaseResult = RunState & { readonly heldBy?: string; readonly heldUntil?: string };

/**
 * Takes the job's lease (a new fencing token) and marks the run started. A lease held by a live
 * execution ends this one as LeaseHeld without a single write beyond the job item's existence: a
 * duplicate start is a no-op. A continued execution finds the lease already handed to it.
 */
export async function acquireLease(payload: unknown, deps: HandlerDeps): Promise<AcquireLeaseResult> {
  const { plan, blocked: _blocked, ...state } = parsePayload(runStateSchema, payload, 'AcquireLease payload');
  const spec = resolveRunJob(deps, state);
  const { store } = deps;
  await store.ensureJob(spec.id);
  const result = await store.acquireLease(spec.id, state.execution.id, deps.settings.leaseTtlMs);
  if (!result.acquired) {
    deps.logger.info('lease held by another execution', { jobId: spec.id, heldBy: result.heldBy });
    return {
      ...state,
      decision: 'lease-held',
      heldBy: result.heldBy,
      heldUntil: new Date(result.expiresAt).toISOString(),
    };
  }
  const { lease } = result;
  // A continuation keeps the status its parent left (running, or waiting out a pause or an abort
  // request the health gate is about to act on); a new run starts running.
  const job =
    state.generation === 0
      ? await store.setStatus(spec.id, 'running', `run ${state.runId} started`)
      : await store.ensureJob(spec.id);
  await store.startRun(spec.id, state.execution.id);
  if (state.generation === 0) {
    const estimate = (plan as { estimatedRows?: unknown } | undefined)?.estimatedRows;
    if (typeof estimate === 'number') await store.setEstimate(spec.id, estimate);
    // A window pause lasts until the next scheduled start, which is this one.
    if (job.pauseRequests.some((r) => r.reason === 'window')) await store.clearPause(spec.id, 'window');
  }
  const checkpoint = job.checkpoint ?? initialCheckpoint(spec, deps.now());
  if (!job.checkpoint) await store.saveCheckpoint(spec.id, lease, checkpoint);
  deps.logger.info('lease acquired', { jobId: spec.id, token: lease.token, fromBatch: checkpoint.batchNo });
  return {
    ...state,
    decision: 'acquired',
    lease: payloadLease(lease),
    iteration: 0,
    rowsDone: checkpoint.rowsDone,
  };
}
