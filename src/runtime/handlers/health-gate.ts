import { roomForAnotherLoop } from '../../run/history-budget';
import { payloadLease, type RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { applyVerdict, readHealth } from '../health-step';
import { resolveRunJob } from '../work/work-ref';
import { loopStepSchema, parsePayload, requireLease, withReportedRetries } from './common';

/**
 * Before every batch: renew the lease (a lost lease stops the run), hand over to a successor when
 * the history grows long (the loop count reaches the threshold, or the loops and the retries they
 * reported leave no room for one more loop at its worst; src/run/history-budget.ts), then ask
 * the health signals. The decision and its reasons go into the
 * execution's output.
 */
export async function healthGate(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const step = parsePayload(loopStepSchema, payload, 'HealthGate payload');
  const state = withReportedRetries(step.run, step.retryCount);
  const spec = resolveRunJob(deps, state);
  const renewed = await deps.store.renewLease(
    spec.id,
    requireLease(state, 'HealthGate'),
    deps.settings.leaseTtlMs,
  );
  const base: RunState = {
    ...state,
    lease: payloadLease(renewed),
    iteration: state.iteration + 1,
  };
  const retries = state.historyRetries ?? 0;
  if (state.iteration >= deps.settings.continueAsNewAfter) {
    const reason = `${state.iteration} iterations in this execution: continuing as a new one to keep its history short`;
    return { ...base, decision: 'stop', stop: { outcome: 'continued', reason } };
  }
  if (!roomForAnotherLoop(deps.settings.historyCosts, state.iteration, retries)) {
    const reason =
      `${state.iteration} iterations and ${retries} retries in this execution: continuing as a new one ` +
      "before its history could reach Step Functions' 25,000 events";
    return { ...base, decision: 'stop', stop: { outcome: 'continued', reason } };
  }
  const job = renewed.job;
  const now = deps.now();
  const decision = await readHealth(deps, spec, job, base, now);
  const next = await applyVerdict(deps, spec, job, base, decision, now);
  deps.logger.info('health gate', { jobId: spec.id, decision: next.decision, health: next.health });
  return next;
}
