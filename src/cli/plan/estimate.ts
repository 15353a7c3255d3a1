import { initialSizer, nextSizer } from '../../engine';
import type { JobSpec } from '../../job/types';

export interface RunEstimate {
  readonly rows: number;
  /** Batches: transactions, each with its own ledger row. */
  readonly batches: number;
  /** Apply steps (ApplyBatch invocations) running them, batch.invocationBudgetMs each; undefined without a timed sample. */
  readonly invocations?: number;
  /** Undefined without a timed sample. */
  readonly durationMs?: number;
}

/** Enough for any sane job; stops a runaway loop if the sizer ever made no progress. */
const MAX_SIMULATED_BATCHES = 1_000_000;

/**
 * Batches, apply steps and duration of a run, by feeding the real batch sizer the per-row time of
 * the sample, transaction after transaction, the way an apply step feeds it real timings.
 * Transactions grow toward the lock-hold target (at most 1.2x a step), so the count is far below
 * rows / batch.size on a fast table; an apply step starts another while its invocation budget has
 * room for it (the rule of src/runtime/runnable/between-transactions.ts). Duration adds the pacing
 * between steps (health.pauseBetweenBatchesMs), not the control loop's own cost per step.
 */
export function estimateRun(spec: JobSpec, rows: number, msPerRow?: number): RunEstimate {
  if (rows <= 0) return { rows: 0, batches: 0, durationMs: msPerRow === undefined ? undefined : 0 };
  if (msPerRow === undefined) return { rows, batches: Math.ceil(rows / spec.batch.size) };
  let sizer = initialSizer(spec.batch);
  let left = rows;
  let batches = 0;
  let invocations = 0;
  let durationMs = 0;
  let stepMs = Number.POSITIVE_INFINITY;
  let lastMs = 0;
  while (left > 0 && batches < MAX_SIMULATED_BATCHES) {
    if (stepMs + lastMs * 1.2 > spec.batch.invocationBudgetMs) {
      invocations++;
      stepMs = 0;
    }
    const size = Math.min(sizer.size, left);
    const batchMs = size * msPerRow;
    batches++;
    durationMs += batchMs;
    stepMs += batchMs;
    lastMs = batchMs;
    left -= size;
    sizer = nextSizer(spec.batch, sizer, { rows: size, durationMs: batchMs });
  }
  durationMs += Math.max(0, invocations - 1) * spec.health.pauseBetweenBatchesMs;
  return { rows, batches, invocations, durationMs: Math.round(durationMs) };
}
