import type { JobState } from '../control/types';
import { evaluateHealth, HEALTH_SIGNALS, type HealthContext } from '../health';
import type { JobSpec } from '../job/types';
import { measuredReplicaLag } from '../run/gate';
import type { RunState } from '../run/state';
import type { HandlerDeps } from './deps';
import { runtimeMetricNames } from './job-metrics';

/** What a health signal reads the job by, as it stands now. */
export async function healthContext(
  deps: HandlerDeps,
  spec: JobSpec,
  job: JobState,
  state: RunState,
  now: Date,
  nextBatchMs: number = Math.max(state.batch?.durationMs ?? 0, spec.batch.targetMs),
): Promise<HealthContext> {
  return {
    spec,
    state: job,
    database: () => deps.connections.open(spec.database),
    replicas: await deps.connections.replicas(spec.database),
    alarms: deps.alarms,
    alarmNames: deps.alarmsFor(spec),
    flags: deps.flags,
    featureFlags: deps.flagsFor(spec),
    now,
    runStartedAt: new Date(state.runStartedAt),
    windowEndsAt: state.windowEndsAt ? new Date(state.windowEndsAt) : undefined,
    nextBatchMs,
    heldBy: state.health?.heldBy ?? [],
  };
}

/** Reads every health signal for the job as it stands now. */
export async function readHealth(
  deps: HandlerDeps,
  spec: JobSpec,
  job: JobState,
  state: RunState,
  now: Date,
) {
  const decision = await evaluateHealth(HEALTH_SIGNALS, await healthContext(deps, spec, job, state, now));
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
