import type { PreflightReport } from '../engine';
import type { JobSpec } from '../job/types';

export interface PlanSummary {
  readonly estimatedRows: number;
  /** Batches: transactions, each with its own ledger row. */
  readonly estimatedBatches: number;
  /** Apply steps (ApplyBatch invocations) running them, at the job's invocation budget each. */
  readonly estimatedInvocations: number;
  /**
   * Each transaction at the job's lock-hold target, plus pacing between apply steps; a rough
   * figure for the operator.
   */
  readonly estimatedSeconds: number;
  readonly checks: ReadonlyArray<{ name: string; ok: boolean; severity: string; reason: string }>;
}

/** The preflight report as the execution's output shows it: small, and readable in the console. */
export function planSummary(spec: JobSpec, report: PreflightReport): PlanSummary {
  const { targetMs, invocationBudgetMs } = spec.batch;
  const workMs = report.estimatedBatches * targetMs;
  const perStep = Math.max(1, Math.floor(invocationBudgetMs / targetMs));
  const invocations = Math.ceil(report.estimatedBatches / perStep);
  return {
    estimatedRows: report.estimatedRows,
    estimatedBatches: report.estimatedBatches,
    estimatedInvocations: invocations,
    estimatedSeconds: Math.round((workMs + invocations * spec.health.pauseBetweenBatchesMs) / 1000),
    checks: report.checks.map((c) => ({
      name: c.name,
      ok: c.ok,
      severity: c.severity ?? 'error',
      reason: c.reason,
    })),
  };
}
