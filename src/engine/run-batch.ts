import type { Lease } from '../control/types';
import type { Database, Key } from '../db/types';
import type { JobSpec, VerifyResult } from '../job/types';
import { batchTransactionOptions } from './batch-transaction';
import { BatchVerificationError, StaleLeaseError } from './errors';
import type { ForegroundImpact, ImpactWatch, ImpactWatcher } from './foreground-impact';
import { compileJob } from './kinds/compile';
import { jobLedger, markPassEnded, readLedgerHead, readLedgerRow, writeLedgerRow } from './ledger';
import { passStart } from './passes';

export interface BatchRequest {
  readonly spec: JobSpec;
  readonly db: Database;
  /** The caller's lease: its fencing token is checked against the ledger's. */
  readonly lease: Pick<Lease, 'token'>;
  /** Rows to select at most. */
  readonly batchSize: number;
  /** Samples, from another connection, application sessions waiting on this transaction's locks. */
  readonly impact?: ImpactWatcher;
}

export type BatchOutcome =
  | {
      readonly status: 'applied';
      readonly batchNo: number;
      readonly firstKey: Key;
      readonly lastKey: Key;
      readonly selected: number;
      readonly affected: number;
      /** Rows affected by all batches so far, as the ledger records it. */
      readonly rowsDone: number;
      /** The walk over the table this batch belongs to (see rerunOf). */
      readonly pass: number;
      readonly durationMs: number;
      /** What application sessions suffered from this transaction's locks, when it was watched. */
      readonly impact?: ForegroundImpact;
    }
  /** Nothing left to select after the ledger's last key. */
  | {
      readonly status: 'done';
      readonly batchNo: number;
      readonly lastKey: Key | null;
      readonly rowsDone: number;
    }
  /** Another session is inside a batch of this job; nothing was done and nothing waited. */
  | { readonly status: 'held' };

/**
 * Applies exactly one batch in one transaction: advisory lock (no wait), ledger fencing, keyset
 * selection after the ledger's last key, the change, verification, the ledger row, commit. Any
 * throw rolls all of it back. Throws StaleLeaseError, BatchVerificationError or DbError.
 */
export async function runBatch({ spec, db, lease, batchSize, impact }: BatchRequest): Promise<BatchOutcome> {
  const job = await compileJob(spec, db);
  const ledger = await jobLedger(db, spec);
  const options = await batchTransactionOptions(db, spec);
  const started = performance.now();
  let watch: ImpactWatch | undefined;
  const result = await watched(
    () => watch,
    () =>
      db.withBatchTransaction(options, async (tx) => {
        watch = impact?.watch(tx.connectionId);
        const head = await readLedgerHead(tx, ledger);
        if (head && head.leaseToken > lease.token)
          throw new StaleLeaseError(spec.id, lease.token, head.leaseToken);
        const start = passStart(spec, head, lease);
        const batchNo = (head?.batchNo ?? 0) + 1;
        const rowsBefore = head?.rowsDone ?? 0;
        const done = {
          status: 'done' as const,
          batchNo: batchNo - 1,
          lastKey: head?.lastKey ?? null,
          rowsDone: rowsBefore,
        };
        if (start.ended) return done;
        const batch = await job.changeBatch(tx, start.afterKey, batchSize, { batchNo });
        if (!batch) {
          // Nothing left: the pass is complete, and this run is the one that found it so.
          if (head && (head.passEndedBy === null || start.fresh))
            await markPassEnded(tx, ledger, head.batchNo, lease.token);
          return done;
        }
        if (!batch.verdict.ok) throw new BatchVerificationError(spec.id, batchNo, batch.verdict.reason);
        const { verdict: _verdict, ...span } = batch;
        const row = { batchNo, leaseToken: lease.token, ...span, rowsDone: rowsBefore + span.affected };
        await writeLedgerRow(tx, ledger, row, start.pass);
        return { status: 'applied' as const, ...row, pass: start.pass };
      }),
  );
  if (result.held) return { status: 'held' };
  const value = result.value;
  if (value.status === 'done') return value;
  const { leaseToken: _token, ...applied } = value;
  const durationMs = Math.round(performance.now() - started);
  const seen = await watch?.stop();
  return { ...applied, durationMs, ...(seen ? { impact: seen } : {}) };
}

/** Runs the transaction; a watch it started is stopped however it ends (a failed one's is dropped). */
async function watched<T>(watch: () => ImpactWatch | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    await watch()?.stop();
    throw error;
  }
}

export interface CommittedBatchRequest {
  readonly spec: JobSpec;
  readonly db: Database;
  readonly batchNo: number;
  /** The lease the batch was committed under. */
  readonly lease: Pick<Lease, 'token'>;
}

/**
 * Re-reads a committed batch: its ledger row under our token, and the job's own check over the
 * batch's key range, so a trigger or concurrent writer that undid the work stops the loop.
 */
export async function verifyCommittedBatch({
  spec,
  db,
  batchNo,
  lease,
}: CommittedBatchRequest): Promise<VerifyResult> {
  const row = await readLedgerRow(db, await jobLedger(db, spec), batchNo);
  if (!row)
    return { ok: false, reason: `the ledger has no row for batch ${batchNo}: the batch did not commit` };
  if (row.leaseToken !== lease.token) {
    return {
      ok: false,
      reason: `ledger batch ${batchNo} was written under lease token ${row.leaseToken}, not ours (${lease.token})`,
    };
  }
  const job = await compileJob(spec, db);
  return job.verifyCommitted(db, row);
}
