import type { HandlerDeps } from '../deps';
import { applyVerdict, readHealth } from '../health-step';
import { resolveRunJob } from '../run-job';
import { parsePayload, type RunState, runStateSchema } from '../run-state';
import { requireLease } from './common';

/**
 * Before every batch: renew the lease (a lost lease stops the run), hand over to a successor when
 * the history grows long, then ask the health signals. The decision and its reasons go into the
 * execution's output.
 */
export async function healthGate(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const state = parsePayload(runStateSchema, payload, 'HealthGate payload');
  const spec = resolveRunJob(deps, state);
  const renewed = await deps.store.renewLease(
    spec.id,
    requireLease(state, 'HealthGate'),
    deps.settings.leaseTtlMs,
  );
  const base: RunState = {
    ...state,
    lease: { owner: renewed.owner, token: renewed.token, expiresAt: renewed.expiresAt },
    iteration: state.iteration + 1,
  };
  if (state.iteration >= deps.settings.continueAsNewAfter) {
    const reason = `${state.iteration} iterations in this execution: continuing as a new one to keep its history short`;
    return { ...base, decision: 'stop', stop: { outcome: 'continued', reason } };
  }
  const job = renewed.job;
  const now = deps.now();
  const decision = await readHealth(deps, spec, job, base, now);
  const next = await applyVerdict(deps, spec, job, base, decision, now);
  deps.logger.info('health gate', { jobId: spec.id, decision: next.decision, health: next.health });
  return next;
}
