import type { JobState, Transition } from '../control/types';
import type { HealthDecision } from '../health/types';
import { type HistoryCosts, roomForAnotherLoop } from './history-budget';
import type { RunState } from './state';

/** The runtime's knobs the gate decides with; RuntimeSettings (src/runtime/deps.ts) extends them. */
export interface GateSettings {
  /** Lease lifetime; renewed at every health gate, so it must outlast a batch plus the longest wait. */
  readonly leaseTtlMs: number;
  /**
   * Health-gate visits after which an execution hands over to a successor; bounded by the history
   * budget (src/run/history-budget.ts), which also hands over earlier when retries pile up.
   */
  readonly continueAsNewAfter: number;
  /** What the state machine's states cost in history events (the local runtime computes them from its ASL). */
  readonly historyCosts: HistoryCosts;
  /** First back-off while unhealthy; doubles per consecutive wait up to `maxBackoffSeconds`. */
  readonly backoffSeconds: number;
  readonly maxBackoffSeconds: number;
  /** Held back by alarms, lag or load for longer than this: the run ends Paused. */
  readonly maxUnhealthySeconds: number;
}

/**
 * Hand over to a successor when the history grows long: the loop count reaches the threshold, or
 * the loops and the retries they reported leave no room for one more loop at its worst
 * (src/run/history-budget.ts). Undefined while there is room.
 */
export function handOver(
  state: RunState,
  settings: GateSettings,
): Pick<RunState, 'decision' | 'stop'> | undefined {
  const retries = state.historyRetries ?? 0;
  if (state.iteration >= settings.continueAsNewAfter) {
    const reason = `${state.iteration} iterations in this execution: continuing as a new one to keep its history short`;
    return { decision: 'stop', stop: { outcome: 'continued', reason } };
  }
  if (!roomForAnotherLoop(settings.historyCosts, state.iteration, retries)) {
    const reason =
      `${state.iteration} iterations and ${retries} retries in this execution: continuing as a new one ` +
      "before its history could reach Step Functions' 25,000 events";
    return { decision: 'stop', stop: { outcome: 'continued', reason } };
  }
  return undefined;
}

/** The replica lag this decision measured, if any replica was readable. */
export function measuredReplicaLag(decision: HealthDecision): number | undefined {
  return decision.readings.find((r) => r.measurements?.replicaLagSeconds !== undefined)?.measurements
    ?.replicaLagSeconds;
}

export interface GateInput {
  /** The job as the lease renewal wrote it. */
  readonly job: JobState;
  readonly state: RunState;
  readonly health: HealthDecision;
  readonly now: Date;
  readonly settings: GateSettings;
}

/**
 * Turns the gate's verdict into the next state: proceed, wait (backing off from the first unhealthy
 * reading, doubling up to the cap, and never longer than a third of the lease), or a clean stop.
 * Held back longer than the settings allow, the run ends Paused rather than waiting forever. The
 * job's status follows a wait (paused) and its end (running), as the status to commit.
 */
export function gateVerdict({ job, state, health, now, settings }: GateInput): {
  readonly next: RunState;
  readonly status?: NonNullable<Transition['status']>;
} {
  const holding = health.readings.filter((r) => r.verdict !== 'ok');
  const reasons = holding.map((r) => `${r.signal}: ${r.reason}`);
  const heldBy = holding.map((r) => r.signal);
  const next = {
    ...state,
    health: { verdict: health.verdict, reasons, heldBy },
    replicaLagSeconds: measuredReplicaLag(health),
    stop: undefined,
  };
  const reason = health.decisive?.reason ?? '';
  switch (health.verdict) {
    case 'ok':
      return {
        next: { ...next, decision: 'proceed', unhealthySince: undefined },
        ...(job.status === 'paused' && {
          status: { to: 'running', reason: 'every health signal is healthy again' },
        }),
      };
    case 'wait': {
      const since = state.unhealthySince ? new Date(state.unhealthySince) : now;
      const heldMs = now.getTime() - since.getTime();
      if (heldMs >= settings.maxUnhealthySeconds * 1000) {
        const minutes = Math.round(heldMs / 60_000);
        return {
          next: {
            ...next,
            decision: 'stop',
            stop: { outcome: 'paused', reason: `held back for ${minutes} min: ${reason}` },
          },
        };
      }
      const cap = Math.max(1, Math.min(settings.maxBackoffSeconds, Math.floor(settings.leaseTtlMs / 3000)));
      const waitSeconds = Math.min(cap, Math.max(settings.backoffSeconds, Math.round(heldMs / 1000)));
      return {
        next: { ...next, decision: 'wait', waitSeconds, unhealthySince: since.toISOString() },
        ...(job.status === 'running' && { status: { to: 'paused', reason: `waiting: ${reason}` } }),
      };
    }
    case 'stop':
      return { next: { ...next, decision: 'stop', stop: { outcome: 'window-closed', reason } } };
    case 'pause':
      return {
        next: {
          ...next,
          decision: 'stop',
          stop: { outcome: 'paused', reason, pauseReason: health.decisive?.pauseReason },
        },
      };
    case 'abort':
      return { next: { ...next, decision: 'stop', stop: { outcome: 'aborted', reason } } };
  }
}
