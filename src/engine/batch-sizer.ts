import type { SizerState } from '../control/types';
import type { JobSpec } from '../job/types';

/** What the sizer reads of a job's batch settings. */
export type BatchConfig = Pick<JobSpec['batch'], 'size' | 'min' | 'max' | 'targetMs'>;

export type BatchObservation =
  | {
      readonly rows: number;
      readonly durationMs: number;
      /**
       * Application sessions seen waiting on a lock this transaction held (the foreground-impact
       * signal, src/db/lock-waits.ts); undefined when it was not sampled.
       */
      readonly blockedSessions?: number;
    }
  | { readonly timedOut: true };

/** How many recent batches the p90 looks at (Spirit uses the last 10 chunks). */
const WINDOW = 10;
/** Never grow faster than this per batch (GitLab's optimizer). */
const MAX_GROWTH = 1.2;
/** A batch this many times over target cuts the next one at once (Spirit). */
const OUTLIER_FACTOR = 5;

export function initialSizer(config: BatchConfig): SizerState {
  return { size: config.size, recentMsPerRow: [] };
}

function clamp(config: BatchConfig, size: number): number {
  return Math.max(config.min, Math.min(config.max, Math.floor(size)));
}

function p90(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)]!;
}

/**
 * The next transaction's size, aiming each at `targetMs` of lock hold. Uses the p90 of recent
 * per-row times so one fast batch does not overshoot; grows at most 1.2x a step; a timeout (our
 * own lock wait ran out) or an application session seen waiting on our locks halves the size,
 * and a batch over 5x the target cuts straight to what would have met the target. Always within
 * min..max.
 */
export function nextSizer(config: BatchConfig, state: SizerState, observation: BatchObservation): SizerState {
  if ('timedOut' in observation) {
    return { size: clamp(config, state.size / 2), recentMsPerRow: state.recentMsPerRow };
  }
  const { rows, durationMs } = observation;
  if (rows <= 0) return state;
  const msPerRow = Math.max(durationMs, 0.001) / rows;
  if ((observation.blockedSessions ?? 0) > 0) {
    // Someone waited on us: hold locks for less, at once, and let the p90 grow it back slowly.
    return {
      size: clamp(config, Math.min(state.size, rows) / 2),
      recentMsPerRow: [...state.recentMsPerRow, msPerRow].slice(-WINDOW),
    };
  }
  if (durationMs > OUTLIER_FACTOR * config.targetMs) {
    return { size: clamp(config, config.targetMs / msPerRow), recentMsPerRow: [msPerRow] };
  }
  // A short tail batch is dominated by fixed costs; it says little about the per-row time.
  if (rows < state.size / 2) return state;
  const recent = [...state.recentMsPerRow, msPerRow].slice(-WINDOW);
  const ideal = config.targetMs / p90(recent);
  return { size: clamp(config, Math.min(ideal, state.size * MAX_GROWTH)), recentMsPerRow: recent };
}
