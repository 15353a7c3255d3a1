import type { PreflightReport } from '../engine';
import type { JobSpec } from '../job/types';

export interface PlanSummary {
  readonly estimatedRows: number;
  readonly estimatedBatches: number;
  /** At the job's target batch time plus pacing; a rough figure for the operator. */
  readonly estimatedSeconds: number;
  readonly checks: ReadonlyArray<{ name: string; ok: boolean; severity: string; reason: string }>;
}

/** The preflight report as the execution's output shows it: small, and readable in the console. */
export function planSummary(spec: JobSpec, report: PreflightReport): PlanSummary {
  const perBatchMs = spec.batch.targetMs + spec.health.pauseBetweenBatchesMs;
  return {
    estimatedRows: report.estimatedRows,
    estimatedBatches: report.estimatedBatches,
    estimatedSeconds: Math.round((report.estimatedBatches * perBatchMs) / 1000),
    checks: report.checks.map((c) => ({
      name: c.name,
      ok: c.ok,
      severity: c.severity ?? 'error',
      reason: c.reason,
    })),
  };
}
