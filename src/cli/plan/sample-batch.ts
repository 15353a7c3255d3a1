import type { Database } from '../../db/types';
import { jobLock, passStart, readLedger } from '../../engine';
import { auditExists } from '../../engine/audit/audit-table';
import { compileJob } from '../../engine/kinds/compile';
import type { JobSpec } from '../../job/types';

export type SampleBatch =
  | {
      readonly status: 'measured';
      /** `applied`: selected, changed and verified; `selected`: selection only (see `note`). */
      readonly mode: 'applied' | 'selected';
      readonly rows: number;
      /** The median of the attempts: the first pays for cold caches, any one may meet a load spike. */
      readonly durationMs: number;
      /** Each attempt's duration, in order. */
      readonly attemptsMs: readonly number[];
      /** Why only the selection was timed, when it was. */
      readonly note?: string;
      /** The job's own verification of the sample, when it was applied. */
      readonly verified?: { readonly ok: boolean; readonly reason?: string };
    }
  | { readonly status: 'empty' }
  | { readonly status: 'held' }
  | { readonly status: 'failed'; readonly reason: string };

/** Thrown inside the transaction to roll it back once the sample is measured. */
class RollBackSample extends Error {
  constructor(readonly sample: Attempt) {
    super('sample batch measured; rolling back');
  }
}

/** One timed attempt, before the attempts are combined. */
type Measured = Omit<Extract<SampleBatch, { status: 'measured' }>, 'attemptsMs'>;
type Attempt = Measured | Exclude<SampleBatch, { status: 'measured' }>;

/** Attempts per sample; their median is the sample's time. */
export const SAMPLE_ATTEMPTS = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Why the sample may only time the selection: a custom job's applyBatch is the author's code and
 * may reach outside the transaction; an audited job writes into an audit table that the first
 * real run creates. Everything else applies in full, then rolls back.
 */
function selectOnlyReason(spec: JobSpec, hasAudit: boolean): string | undefined {
  if (spec.kind === 'custom')
    return "a custom job's applyBatch is its author's code, so only its selectBatch was timed";
  if (spec.kind === 'rollback') return 'a rollback job is timed on its selection only';
  if (spec.rollback.audit && !hasAudit)
    return 'the audit table does not exist yet (the first run creates it), so only the selection was timed';
  return undefined;
}

/**
 * Times one batch exactly as a run would take it (same transaction settings, advisory lock, keyset
 * selection after the ledger's last key, the job's change and verification), inside a transaction
 * that is always rolled back, three times over; the median is the sample's time. Nothing is
 * committed; row locks are held for one batch's duration at a time, as a real batch holds them.
 */
export async function sampleBatch(
  spec: JobSpec,
  db: Database,
  batchSize = spec.batch.size,
): Promise<SampleBatch> {
  const attempts: Measured[] = [];
  try {
    const job = await compileJob(spec, db);
    const head = await readLedger(db, spec);
    const hasAudit = spec.rollback.audit ? await auditExists(db, spec) : false;
    const selectOnly = selectOnlyReason(spec, hasAudit);
    for (let i = 0; i < SAMPLE_ATTEMPTS; i++) {
      const attempt = await attemptOnce(spec, db, job, head, batchSize, selectOnly);
      if (attempt.status !== 'measured') return attempt;
      attempts.push(attempt);
    }
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message };
  }
  const attemptsMs = attempts.map((a) => a.durationMs);
  // A verification failure in any attempt is the one to report.
  const verified = attempts.find((a) => a.verified && !a.verified.ok)?.verified ?? attempts[0]!.verified;
  return { ...attempts[0]!, verified, durationMs: median(attemptsMs), attemptsMs };
}

async function attemptOnce(
  spec: JobSpec,
  db: Database,
  job: Awaited<ReturnType<typeof compileJob>>,
  head: Awaited<ReturnType<typeof readLedger>>,
  batchSize: number,
  selectOnly: string | undefined,
): Promise<Attempt> {
  const started = performance.now();
  try {
    const outcome = await db.withBatchTransaction(
      {
        ...(await jobLock(db, spec)),
        lockTimeoutMs: spec.limits.lockTimeoutMs,
        statementTimeoutMs: spec.limits.statementTimeoutMs,
      },
      async (tx) => {
        // Where the next run starts: a run always holds a newer lease token than the one that
        // completed the last pass, so a `new-pass` job starts again from the first key.
        const afterKey = passStart(spec, head, { token: Number.MAX_SAFE_INTEGER }).afterKey;
        if (selectOnly) {
          const keys = await job.selectBatch(tx, afterKey, batchSize);
          if (keys.length === 0) throw new RollBackSample({ status: 'empty' });
          const durationMs = performance.now() - started;
          throw new RollBackSample({
            status: 'measured',
            mode: 'selected',
            rows: keys.length,
            durationMs,
            note: selectOnly,
          });
        }
        const batch = await job.changeBatch(tx, afterKey, batchSize, { batchNo: (head?.batchNo ?? 0) + 1 });
        if (!batch) throw new RollBackSample({ status: 'empty' });
        const durationMs = performance.now() - started;
        throw new RollBackSample({
          status: 'measured',
          mode: 'applied',
          rows: batch.selected,
          durationMs,
          verified: batch.verdict.ok ? { ok: true } : { ok: false, reason: batch.verdict.reason },
        });
      },
    );
    // The callback always throws, so reaching here means the lock was held by a running batch.
    return outcome.held
      ? { status: 'held' }
      : { status: 'failed', reason: 'the sample transaction committed unexpectedly' };
  } catch (error) {
    if (error instanceof RollBackSample) return error.sample;
    throw error;
  }
}
