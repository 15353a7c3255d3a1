import { expect } from 'vitest';
import type { JobSpec } from '../../../src/job/types';
import type { E2eSetup } from '../../e2e/support/harness';
import type { TestEngine } from '../../support/databases';
import { type TupleWrites, walkedInKeyOrder } from '../../support/tuple-writes';
import { countRows, keyedJob, ledgerOf } from './keyed-jobs';
import type { TypedKeyCase } from './typed-tables';

/**
 * An update of every row of a typed-key table, one row a batch: every key in turn is the cursor
 * the next batch starts after, so a key that lost a digit, a microsecond or a byte on its way
 * through the ledger and checkpoint skips or repeats a row.
 */
export function touchAll(engine: TestEngine, c: TypedKeyCase): JobSpec {
  const columns = Object.keys(c.columns);
  return keyedJob(engine, {
    id: c.table.replace(/_/g, '-'),
    table: c.table,
    // One column as `key: 'k'`, several as the ordered list: both forms of the job's key.
    key: columns.length === 1 ? columns[0] : columns,
    kind: 'update',
    where: '1 = 1',
    set: { touched: 'touched + 1' },
    batch: { size: 1, min: 1, max: 1, targetMs: 200 },
  });
}

/** Runs `job` and checks every row of its table was written exactly once, one batch a row, in key order. */
export async function expectEveryRowOnce(e2e: E2eSetup, job: JobSpec, c: TypedKeyCase, writes: TupleWrites) {
  const result = await e2e.rt.runtime.run({ jobId: job.id });
  expect(result, JSON.stringify(result.output?.blocked ?? result.cause ?? result.error)).toMatchObject({
    status: 'SUCCEEDED',
    exit: 'Completed',
  });
  const rows = c.rows.length;
  expect(await writes.histogram()).toEqual([[1, rows]]);
  expect(await countRows(e2e.db.raw, c.table, 'touched = 1')).toBe(rows);
  const statements = await writes.statements();
  expect(statements).toHaveLength(rows);
  expect(walkedInKeyOrder(statements)).toBe(true);
  const ledger = await ledgerOf(e2e.db.raw, job.id);
  expect(Number(ledger.at(-1)!.rows_done)).toBe(rows);
  const state = await e2e.rt.runtime.store.getJob(job.id);
  expect(state).toMatchObject({ status: 'completed', checkpoint: { rowsDone: rows } });
  return state;
}
