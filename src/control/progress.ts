import type { BatchRecord, Progress } from './types';

/** Batches the rate is measured over: enough to smooth one slow batch, few enough to follow a change. */
export const RATE_WINDOW = 20;

export type RateSample = Pick<BatchRecord, 'affected' | 'durationMs' | 'at'>;

/**
 * Rows per second over the given batches, by the wall clock between the end of the oldest and the
 * end of the newest (counting the rows of all but the oldest), so pacing and pauses between batches
 * count: they are part of how long the rest takes. With one batch, its own duration. Undefined
 * when there is nothing to measure.
 */
export function rowsPerSecond(batches: readonly RateSample[]): number | undefined {
  const timed = batches
    .map((b) => ({
      end: Date.parse(b.at),
      rows: Math.max(0, b.affected),
      durationMs: Math.max(0, b.durationMs),
    }))
    .filter((b) => Number.isFinite(b.end))
    .sort((a, b) => a.end - b.end);
  if (timed.length === 0) return undefined;
  const [oldest, ...rest] = timed;
  const window = rest.length === 0 ? [oldest!] : rest;
  const seconds =
    rest.length === 0 ? oldest!.durationMs / 1000 : (timed[timed.length - 1]!.end - oldest!.end) / 1000;
  if (seconds <= 0) return undefined;
  return window.reduce((sum, b) => sum + b.rows, 0) / seconds;
}

export interface ProgressInput {
  readonly rowsDone: number;
  /** The preflight's estimate; undefined when there was none. */
  readonly estimatedRows?: number;
  /** The most recent batches (RATE_WINDOW + 1 of them), in any order. */
  readonly recentBatches: readonly RateSample[];
  /** The job completed: nothing is left, whatever the estimate said. */
  readonly finished?: boolean;
}

/**
 * Progress against the estimate and a linear ETA at the recent rate. The estimate may be wrong
 * either way: percent stops at 100, and once the rows done pass it the time left is unknown
 * (undefined), never negative.
 */
export function computeProgress(input: ProgressInput): Progress {
  const rowsDone = Math.max(0, input.rowsDone);
  const rate = rowsPerSecond(input.recentBatches);
  const estimate = input.estimatedRows;
  if (input.finished) {
    return { rowsDone, estimatedRows: estimate, rowsPerSecond: rate, etaSeconds: 0, percent: 100 };
  }
  let percent: number | undefined;
  let etaSeconds: number | undefined;
  if (estimate !== undefined) {
    percent = estimate <= 0 ? 100 : Math.min(100, (rowsDone / estimate) * 100);
    const remaining = estimate - rowsDone;
    if (remaining > 0 && rate !== undefined && rate > 0) etaSeconds = remaining / rate;
  }
  return { rowsDone, estimatedRows: estimate, rowsPerSecond: rate, etaSeconds, percent };
}
