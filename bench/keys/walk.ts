import type { Database } from '../../src/db/types';
import { installLedger, runBatch } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { DefineJobInput, JobSpec } from '../../src/job/types';
import type { BenchEngine } from '../settings';

export interface Walk {
  /** Each batch's duration as runBatch reports it (lock, select, change, ledger, commit). */
  readonly batchMs: readonly number[];
  readonly rows: number;
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

/** Walks the whole table once, batch after batch, as the state machine would with a fixed size. */
export async function walkTable(db: Database, spec: JobSpec): Promise<Walk> {
  await installLedger(db, spec);
  const batchMs: number[] = [];
  let rows = 0;
  const started = process.hrtime.bigint();
  for (;;) {
    const outcome = await runBatch({ spec, db, lease: { token: 1 }, batchSize: spec.batch.size });
    if (outcome.status === 'done') break;
    if (outcome.status === 'held') throw new Error(`job ${spec.id}: its lock is held by another session`);
    batchMs.push(outcome.durationMs);
    rows += outcome.affected;
  }
  return { batchMs, rows, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
