import type { Database } from '../../src/db/types';
import { installLedger, runBatch } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { DefineJobInput, JobSpec } from '../../src/job/types';
import type { BenchEngine } from '../settings';

export interface Walk {
  /** Each batch's wall time in milliseconds, as its caller sees it: lock, select, change, ledger, commit. */
  readonly batchMs: readonly number[];
  readonly rows: number;
  /** The sum of its batches' times. */
  readonly seconds: number;
}

/** The update every walk runs: one bump per row, in fixed-size batches (no adaptive sizing to blur the comparison). */
export function walkJob(
  engine: BenchEngine,
  id: string,
  table: string,
  key: string | readonly string[],
  batchSize: number,
): JobSpec {
  // Untyped through defineJob: `key` as a job file gives it, a column or columns in order.
  return defineJob({
    id,
    owner: 'bench',
    engine,
    database: 'bench',
    table,
    key,
    kind: 'update',
    set: { touched: 'touched + 1' },
    batch: { size: batchSize, min: batchSize, max: batchSize, targetMs: 500 },
    health: { pauseBetweenBatchesMs: 0 },
  } as unknown as DefineJobInput);
}

/**
 * Walks each job's table once, taking one batch of each job in turn (a, b, a, b, ...), as the
 * state machine would with a fixed size: on a shared, busy server both walks meet the same load,
 * batch for batch, instead of one walk getting the quiet minute.
 */
export async function walkInTurn(db: Database, specs: readonly JobSpec[]): Promise<Walk[]> {
  for (const spec of specs) await installLedger(db, spec);
  const walks = specs.map(() => ({ batchMs: [] as number[], rows: 0, done: false }));
  while (walks.some((w) => !w.done)) {
    for (const [i, spec] of specs.entries()) {
      const walk = walks[i]!;
      if (walk.done) continue;
      // Timed here, to the microsecond: the outcome's own durationMs is whole milliseconds, too
      // coarse for a ratio of batches that take a few.
      const started = process.hrtime.bigint();
      const outcome = await runBatch({ spec, db, lease: { token: 1 }, batchSize: spec.batch.size });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (outcome.status === 'done') walk.done = true;
      else if (outcome.status === 'held')
        throw new Error(`job ${spec.id}: its lock is held by another session`);
      else {
        walk.batchMs.push(ms);
        walk.rows += outcome.affected;
      }
    }
  }
  return walks.map((w) => ({
    batchMs: w.batchMs,
    rows: w.rows,
    seconds: w.batchMs.reduce((a, b) => a + b, 0) / 1000,
  }));
}
