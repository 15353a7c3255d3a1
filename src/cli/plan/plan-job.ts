import type { Database } from '../../db/types';
import type { PreflightReport } from '../../engine';
import type { CheckResult, JobSpec } from '../../job/types';
import { jobPreflight, NO_CONSENTS } from '../../run/preflight-checks';
import { estimateRun, type RunEstimate } from './estimate';
import type { PlanConsents } from './plan-consents';
import { type SampleBatch, sampleBatch } from './sample-batch';

export interface PlanReport {
  readonly jobId: string;
  readonly kind: JobSpec['kind'];
  readonly table: string;
  /** True when no blocking check failed: a run would start. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  /** Where the DDL guard read the operators' consents; absent when it could read none. */
  readonly consentsFrom?: string;
  readonly estimate: RunEstimate;
  /** Undefined when the sample was skipped (`--no-sample`, or preflight refused). */
  readonly sample?: SampleBatch;
}

export interface PlanOptions {
  /** Time one batch in a rolled-back transaction (default true). */
  readonly sample?: boolean;
  /** The consents the DDL guard sees (default: none, so every statement it blocks stays refused). */
  readonly consents?: PlanConsents;
}

/**
 * The dry run: the preflight a local run executes (the run's own composition: the engine's checks
 * and the DDL guard; no replicas and no Lambda statement ceiling, as locally), the row estimate it
 * records, and one sample batch rolled back, turned into an estimate of batches and duration.
 * Commits nothing.
 */
export async function planJob(spec: JobSpec, db: Database, options: PlanOptions = {}): Promise<PlanReport> {
  const consents = options.consents ?? { lookup: NO_CONSENTS };
  const preflight: PreflightReport = await jobPreflight({ spec, db, consent: consents.lookup });
  const table = spec.table.schema ? `${spec.table.schema}.${spec.table.name}` : spec.table.name;
  const base = {
    jobId: spec.id,
    kind: spec.kind,
    table,
    ok: preflight.ok,
    checks: preflight.checks,
    ...(consents.from ? { consentsFrom: consents.from } : {}),
  };
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
