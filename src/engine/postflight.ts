import type { Database, Key } from '../db/types';
import type { JobSpec, VerifyResult } from '../job/types';
import { displayKey } from './key-display';
import { keyCodecOf } from './keys';
import { compileJob } from './kinds/compile';
import { kindOf } from './kinds/registry';
import { fail, type PassSpan } from './kinds/types';
import { jobLedger, type LedgerRow, readLedger, readPass } from './ledger';

/**
 * Why one pass's ledger does not read as one walk in key order, or undefined. Batch numbers must
 * follow each other, the running total add up, and (for integer keys, which lowtide can order
 * itself) each batch's range lie after the one before it: a range that does not move means the
 * same rows were changed again.
 */
export function passProblem(
  batches: readonly LedgerRow[],
  /** Orders two keys, where lowtide can order them itself (integer keys, one column or several). */
  compare?: (a: Key, b: Key) => number,
): string | undefined {
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    if (compare && compare(b.firstKey, b.lastKey) > 0)
      return `ledger batch ${b.batchNo} runs backwards (${displayKey(b.firstKey)} to ${displayKey(b.lastKey)})`;
    const before = batches[i - 1];
    if (!before) continue;
    if (b.batchNo !== before.batchNo + 1)
      return `the ledger has no batch between ${before.batchNo} and ${b.batchNo} of this pass`;
    if (b.rowsDone !== before.rowsDone + b.affected)
      return `ledger batch ${b.batchNo} records ${b.rowsDone} rows done, but ${before.rowsDone} + ${b.affected} affected`;
    if (compare && compare(b.firstKey, before.lastKey) <= 0) {
      return `ledger batch ${b.batchNo} starts at key ${displayKey(b.firstKey)}, not after batch ${before.batchNo}'s last key ${displayKey(before.lastKey)}: the same rows were walked twice`;
    }
  }
  return undefined;
}

/**
 * Postflight: judges what the job could have changed. Each batch already checked its own key
 * range inside its transaction (and again right after commit); here the last pass's ledger must
 * read as one walk in key order, and rows of the walked range that match the predicate (purges)
 * or break the invariant (updates) now are reported as a note: they began to after their batch
 * ran. Custom jobs run their own validate.
 */
export async function validateJob({ spec, db }: { spec: JobSpec; db: Database }): Promise<VerifyResult> {
  const job = await compileJob(spec, db);
  if (kindOf(spec).postflight === 'own') return job.validate(db, null);
  const head = await readLedger(db, spec);
  if (!head) return job.validate(db, null);
  const batches = await readPass(db, await jobLedger(db, spec), head.pass);
  const codec = await keyCodecOf(db, spec);
  const problem = passProblem(batches, codec.comparable ? (a, b) => codec.compareKeys(a, b) : undefined);
  if (problem) return fail(`postflight: ${problem}`);
  const walked: PassSpan | null = batches[0]
    ? { firstKey: batches[0].firstKey, lastKey: head.lastKey! }
    : null;
  return job.validate(db, walked);
}
