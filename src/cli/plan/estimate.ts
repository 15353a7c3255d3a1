import { initialSizer, nextSizer } from '../../engine';
import type { JobSpec } from '../../job/types';

export interface RunEstimate {
  readonly rows: number;
  readonly batches: number;
  /** Undefined without a timed sample. */
  readonly durationMs?: number;
}

/** Enough for any sane job; stops a runaway loop if the sizer ever made no progress. */
const MAX_SIMULATED_BATCHES = 1_000_000;

/**
 * Batches and duration of a run, by feeding the real batch sizer the per-row time of the sample,
 * batch after batch, the way the state machine feeds it real timings. Batches grow toward the
 * target duration (at most 1.2x a step), so the count is far below rows / batch.size on a fast
 * table. Duration adds the pacing between batches.
 */
export function estimateRun(spec: JobSpec, rows: number, msPerRow?: number): RunEstimate {
  if (rows <= 0) return { rows: 0, batches: 0, durationMs: msPerRow === undefined ? undefined : 0 };
  if (msPerRow === undefined) return { rows, batches: Math.ceil(rows / spec.batch.size) };
  let sizer = initialSizer(spec.batch);
  let left = rows;
  let batches = 0;
  let durationMs = 0;
  while (left > 0 && batches < MAX_SIMULATED_BATCHES) {
    const size = Math.min(sizer.size, left);
    const batchMs = size * msPerRow;
    batches++;
    durationMs += batchMs;
    left -= size;
    sizer = nextSizer(spec.batch, sizer, { rows: size, durationMs: batchMs });
  }
  durationMs += Math.max(0, batches - 1) * spec.health.pauseBetweenBatchesMs;
  return { rows, batches, durationMs: Math.round(durationMs) };
}
