import type { Checkpoint, DecideTransition, JobState } from '../control/types';
import { type LeaseHeld, leaseHeld } from './on-contention';
import { payloadLease, type RunState } from './state';

export interface StartInput {
  readonly run: RunState;
  /** Lifetime of the lease taken. */
  readonly ttlMs: number;
  /** The preflight's plan as the payload carries it: a new run records its estimated rows, for progress. */
  readonly plan?: unknown;
  /** Where a job that never ran starts from (its checkpoint before the first batch). */
  readonly initialCheckpoint: Checkpoint;
}

/**
 * An execution starts: it takes the job's lease with a new fencing token unless another live
 * execution holds it (a duplicate start changes nothing), writes the checkpoint a job that never ran
 * starts from, and opens its run record. A new run (generation 0) marks the job running, records
 * the preflight's estimate and withdraws a window pause, which lasts until the next scheduled
 * start: this one. A continuation keeps the status its parent left (running, or waiting out a pause
 * or an abort request the health gate is about to act on).
 */
export function start({ run, ttlMs, plan, initialCheckpoint }: StartInput): DecideTransition {
  const owner = run.execution.id;
  const estimate = (plan as { estimatedRows?: unknown } | undefined)?.estimatedRows;
  const estimatedRows = typeof estimate === 'number' ? estimate : undefined;
  return (job, leaseLive) => {
    if (job?.lease && job.lease.owner !== owner && leaseLive) return undefined;
    const newRun = run.generation === 0;
    return {
      lease: { kind: 'acquire', owner, ttlMs },
      ...(newRun && {
        status: { to: 'running', reason: `run ${run.runId} started` },
        clearPause: 'window',
        ...(estimatedRows !== undefined && { estimatedRows }),
      }),
      initialCheckpoint,
      startRun: { executionId: owner },
    };
  };
}

/** The run state after a start was committed: acquired, or held by the execution `job` names. */
export function started(run: RunState, job: JobState): RunState | LeaseHeld {
  const { lease, checkpoint } = job;
  if (!lease) throw new Error(`job '${job.jobId}': a committed start left no lease`);
  if (lease.owner !== run.execution.id) return leaseHeld(run, lease);
  return {
    ...run,
    decision: 'acquired',
    lease: payloadLease(lease),
    iteration: 0,
    rowsDone: checkpoint?.rowsDone ?? 0,
  };
}
