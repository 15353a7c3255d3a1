import type { Database } from '../../db/types';
import { type PreflightReport, runPreflight } from '../../engine';
import type { CheckResult, JobSpec } from '../../job/types';
import { estimateRun, type RunEstimate } from './estimate';
import { type SampleBatch, sampleBatch } from './sample-batch';

export interface PlanReport {
  readonly jobId: string;
  readonly kind: JobSpec['kind'];
  readonly table: string;
  /** True when no blocking check failed: a run would start. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  readonly estimate: RunEstimate;
  /** Undefined when the sample was skipped (`--no-sample`, or preflight refused). */
  readonly sample?: SampleBatch;
}

export interface PlanOptions {
  /** Time one batch in a rolled-back transaction (default true). */
  readonly sample?: boolean;
}

/**
 * The dry run: the preflight a run executes, the row estimate it records, and one sample batch
 * rolled back, turned into an estimate of batches and duration. Commits nothing.
 */
export async function planJob(spec: JobSpec, db: Database, options: PlanOptions = {}): Promise<PlanReport> {
  const preflight: PreflightReport = await runPreflight({ spec, db });
  const table = spec.table.schema ? `${spec.table.schema}.${spec.table.name}` : spec.table.name;
  const base = { jobId: spec.id, kind: spec.kind, table, ok: preflight.ok, checks: preflight.checks };
  if (!preflight.ok || options.sample === false) {
    return { ...base, estimate: estimateRun(spec, preflight.estimatedRows) };
  }
  const sample = await sampleBatch(spec, db);
  const msPerRow =
    sample.status === 'measured' && sample.rows > 0 ? sample.durationMs / sample.rows : undefined;
  const rows = sample.status === 'empty' ? 0 : preflight.estimatedRows;
  return { ...base, estimate: estimateRun(spec, rows, msPerRow), sample };
}

/** The checks that refused, as one sentence each. */
export function blockingChecks(report: Pick<PlanReport, 'checks'>): CheckResult[] {
  return report.checks.filter((c) => !c.ok && c.severity !== 'warning');
}
