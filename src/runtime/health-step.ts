import type { JobState } from '../control/types';
import { evaluateHealth, HEALTH_SIGNALS } from '../health';
import type { HealthDecision } from '../health/types';
import type { JobSpec } from '../job/types';
import type { RunState } from '../run/state';
import type { HandlerDeps } from './deps';
import { runtimeMetricNames } from './job-metrics';

/** Reads every health signal for the job as it stands now. */
export async function readHealth(
  deps: HandlerDeps,
  spec: JobSpec,
  job: JobState,
  state: RunState,
  now: Date,
) {
  const decision = await evaluateHealth(HEALTH_SIGNALS, {
    spec,
    state: job,
    database: () => deps.connections.open(spec.database),
    replicas: await deps.connections.replicas(spec.database),
    alarms: deps.alarms,
    alarmNames: deps.alarmsFor(spec),
    now,
    runStartedAt: new Date(state.runStartedAt),
    windowEndsAt: state.windowEndsAt ? new Date(state.windowEndsAt) : undefined,
    nextBatchMs: Math.max(state.batch?.durationMs ?? 0, spec.batch.targetMs),
    heldBy: state.health?.heldBy ?? [],
  });
  // Alarm pauses whose alarm is back to OK: cleared here too, in case the OK event never arrived.
  for (const reason of new Set(decision.readings.flatMap((r) => r.resolved ?? []))) {
    await deps.store.clearPause(spec.id, reason);
  }
  const lag = measuredReplicaLag(decision);
  deps.metrics.record(spec.id, [
    { name: runtimeMetricNames.healthGateHeld, unit: 'Count', value: decision.verdict === 'ok' ? 0 : 1 },
    ...(lag === undefined
      ? []
      : [{ name: runtimeMetricNames.replicaLag, unit: 'Seconds' as const, value: lag }]),
  ]);
  return decision;
}

/** The replica lag this decision measured, if any replica was readable. */
function measuredReplicaLag(decision: HealthDecision): number | undefined {
  return decision.readings.find((r) => r.measurements?.replicaLagSeconds !== undefined)?.measurements
    ?.replicaLagSeconds;
}

/**
 * Turns the gate's verdict into the next state: proceed, wait (backing off from the first unhealthy
 * reading, doubling up to the cap, and never longer than a third of the lease), or a clean stop.
 * Held back longer than the settings allow, the run ends Paused rather than waiting forever.
 */
export async function applyVerdict(
  deps: HandlerDeps,
  spec: JobSpec,
  job: JobState,
  state: RunState,
  decision: HealthDecision,
  now: Date,
): Promise<RunState> {
  const holding = decision.readings.filter((r) => r.verdict !== 'ok');
  const reasons = holding.map((r) => `${r.signal}: ${r.reason}`);
  const heldBy = holding.map((r) => r.signal);
  const next = {
    ...state,
    health: { verdict: decision.verdict, reasons, heldBy },
    replicaLagSeconds: measuredReplicaLag(decision),
    stop: undefined,
  };
  const reason = decision.decisive?.reason ?? '';
  switch (decision.verdict) {
    case 'ok':
      if (job.status === 'paused')
        await deps.store.setStatus(spec.id, 'running', 'every health signal is healthy again');
      return { ...next, decision: 'proceed', unhealthySince: undefined };
    case 'wait': {
      const since = state.unhealthySince ? new Date(state.unhealthySince) : now;
      const heldMs = now.getTime() - since.getTime();
      const { settings } = deps;
      if (heldMs >= settings.maxUnhealthySeconds * 1000) {
        const minutes = Math.round(heldMs / 60_000);
        return {
          ...next,
          decision: 'stop',
          stop: { outcome: 'paused', reason: `held back for ${minutes} min: ${reason}` },
        };
      }
      if (job.status === 'running') await deps.store.setStatus(spec.id, 'paused', `waiting: ${reason}`);
      const cap = Math.max(1, Math.min(settings.maxBackoffSeconds, Math.floor(settings.leaseTtlMs / 3000)));
      const waitSeconds = Math.min(cap, Math.max(settings.backoffSeconds, Math.round(heldMs / 1000)));
      return { ...next, decision: 'wait', waitSeconds, unhealthySince: since.toISOString() };
    }
    case 'stop':
      return { ...next, decision: 'stop', stop: { outcome: 'window-closed', reason } };
    case 'pause':
      return {
        ...next,
        decision: 'stop',
        stop: { outcome: 'paused', reason, pauseReason: decision.decisive?.pauseReason },
      };
    case 'abort':
      return { ...next, decision: 'stop', stop: { outcome: 'aborted', reason } };
  }
}
