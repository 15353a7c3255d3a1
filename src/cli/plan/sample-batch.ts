import type { Database } from '../../db/types';
import { type DryRunOutcome, dryRunBatch, kindOf } from '../../engine';
import { auditExists } from '../../engine/audit/audit-table';
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

/** Attempts per sample; their median is the sample's time. */
export const SAMPLE_ATTEMPTS = 3;

type Measured = Extract<DryRunOutcome, { status: 'changed' | 'selected' }>;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Why the sample may only time the selection: a custom job's applyBatch is the author's code and
 * may reach outside the transaction; an audited job writes into an audit table that the first
 * real run creates. Everything else applies in full, then rolls back.
 */
async function selectOnlyReason(spec: JobSpec, db: Database): Promise<string | undefined> {
  const kind = kindOf(spec);
  if (kind.sampleSelectOnly) return kind.sampleSelectOnly;
  if (kind.audited(spec) && !(await auditExists(db, spec)))
    return 'the audit table does not exist yet (the first run creates it), so only the selection was timed';
  return undefined;
}

/**
 * Times the engine's dry-run batch (one batch exactly as the next run would take it, always rolled
 * back) three times over; the median is the sample's time. Nothing is committed.
 */
export async function sampleBatch(
  spec: JobSpec,
  db: Database,
  batchSize = spec.batch.size,
): Promise<SampleBatch> {
  const attempts: Measured[] = [];
  let note: string | undefined;
  try {
    note = await selectOnlyReason(spec, db);
    for (let i = 0; i < SAMPLE_ATTEMPTS; i++) {
      const outcome = await dryRunBatch({ spec, db, batchSize, mode: note ? 'select' : 'change' });
      if (outcome.status === 'empty' || outcome.status === 'held') return { status: outcome.status };
      attempts.push(outcome);
    }
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message };
  }
  const first = attempts[0]!;
  const attemptsMs = attempts.map((a) => a.durationMs);
  const durationMs = median(attemptsMs);
  if (first.status === 'selected') {
    return { status: 'measured', mode: 'selected', rows: first.selected, durationMs, attemptsMs, note };
  }
  // A verification failure in any attempt is the one to report.
  const failed = attempts.find((a) => a.status === 'changed' && !a.verdict.ok);
  const { verdict } = failed?.status === 'changed' ? failed : first;
  const verified = verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
  return { status: 'measured', mode: 'applied', rows: first.selected, durationMs, attemptsMs, verified };
}
