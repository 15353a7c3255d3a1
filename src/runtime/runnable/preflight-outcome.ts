import type { RunState } from '../../run/state';
import type { PlanSummary } from '../plan-summary';
import type { PreflightContext, Work, WorkPreflight } from './work';

export type PreflightResult = RunState & {
  /** Absent for a continued execution: its run passed preflight when it started. */
  readonly plan?: PlanSummary;
  readonly blocked?: { readonly reasons: readonly string[] };
};

/**
 * Preflight: the work's checks, then the plan. Read-only everywhere (no ledger, no control item),
 * so a blocked start and a dry run leave no trace but their output. A continued execution
 * (generation > 0) skips the checks: its run passed them, it already holds the lease its parent
 * handed over, and the health gate guards every batch from here on. Blocking it would strand that
 * lease and leave the job marked running.
 */
export async function checkStart(work: Work, ctx: PreflightContext): Promise<PreflightResult> {
  const { deps, run } = ctx;
  if (run.generation > 0 && !run.dryRun) {
    deps.logger.info('preflight skipped for a continuation', {
      jobId: work.spec.id,
      generation: run.generation,
    });
    return { ...run, decision: 'ready' };
  }
  return preflightOutcome(run, await work.preflight(ctx));
}

/** A dry run reports what it found; a real run is blocked by any reason, else ready. */
export function preflightOutcome(run: RunState, { reasons, plan }: WorkPreflight): PreflightResult {
  const planned = plan ? { plan } : {};
  if (run.dryRun)
    return { ...run, decision: 'dry-run', ...planned, ...(reasons.length ? { blocked: { reasons } } : {}) };
  if (reasons.length > 0) return { ...run, decision: 'blocked', ...planned, blocked: { reasons } };
  return { ...run, decision: 'ready', ...planned };
}
