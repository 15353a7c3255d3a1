import { gateVerdict, handOver } from '../../run/gate';
import { payloadLease, type RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { readHealth } from '../health-step';
import { resolveRunJob } from '../runnable/work-ref';
import { loopStepSchema, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * Before every batch: renew the lease (a lost lease stops the run), hand over to a successor when
 * the history grows long, then ask the health signals and follow their verdict (src/run/gate.ts).
 * The decision and its reasons go into the execution's output.
 */
export async function healthGate(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const step = parsePayload(loopStepSchema, payload, 'HealthGate payload');
  const state = withReportedRetries(step.run, step.retryCount);
  const spec = resolveRunJob(deps, state);
  const { settings } = deps;
  const { job, ...renewed } = await deps.store.renewLease(
    spec.id,
    requireLease(state, 'HealthGate'),
    settings.leaseTtlMs,
  );
  const base: RunState = { ...state, lease: payloadLease(renewed), iteration: state.iteration + 1 };
  const continued = handOver(state, settings);
  if (continued) return { ...base, ...continued };
  const now = deps.now();
  const health = await readHealth(deps, spec, job, base, now);
  const { next, status } = gateVerdict({ job, state: base, health, now, settings });
  if (status) await deps.store.commit(spec.id, { status });
  deps.logger.info('health gate', { jobId: spec.id, decision: next.decision, health: next.health });
  return next;
}
