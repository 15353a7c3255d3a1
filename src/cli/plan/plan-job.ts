import type { Database } from '../../db/types';
import type { RuleSettings } from '../../ddl/rule-settings';
import type { WriteEstimate } from '../../engine';
import type { FlagReader } from '../../health/types';
import type { CheckResult, JobSpec } from '../../job/types';
import { type JobPreflightReport, jobPreflight, NO_CONSENTS } from '../../run/preflight-checks';
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
  /**
   * Bytes the whole run is expected to write (WAL or redo, binlog, audit table), from a rolled-back
   * sample batch; undefined when not estimated (`--no-sample`, or preflight refused first).
   */
  readonly estimatedWriteBytes?: number;
  /** How `estimatedWriteBytes` was reached, in parts. */
  readonly writeEstimate?: WriteEstimate;
}

export interface PlanOptions {
  /** Time one batch in a rolled-back transaction (default true). */
  readonly sample?: boolean;
  /** The consents the DDL guard sees (default: none, so every statement it blocks stays refused). */
  readonly consents?: PlanConsents;
  /** Where the feature flags that gate the job are read (default: none, so a gated job is refused). */
  readonly flags?: FlagReader;
  /** The repository's DDL rule settings (src/cli/ddl-rules.ts), as the run's preflight applies them. */
  readonly ddlRules?: RuleSettings;
}

/**
 * The dry run: the preflight a local run executes (the run's own composition: the engine's checks
 * and the DDL guard; no replicas and no Lambda statement ceiling, as locally), the row estimate it
 * records, and one sample batch rolled back, turned into an estimate of batches and duration.
 * Commits nothing.
 */
export async function planJob(spec: JobSpec, db: Database, options: PlanOptions = {}): Promise<PlanReport> {
  const consents = options.consents ?? { lookup: NO_CONSENTS };
  const refs = spec.health.featureFlag ? [spec.health.featureFlag] : [];
  const preflight: JobPreflightReport = await jobPreflight({
    spec,
    db,
    consent: consents.lookup,
    ...(options.ddlRules ? { ddlRules: options.ddlRules } : {}),
    ...(options.flags || refs.length ? { flags: { reader: options.flags ?? noFlags, refs } } : {}),
    // The sample batch estimates the write volume; --no-sample leaves it out, unless a limit needs it.
    writeVolume: { always: options.sample !== false },
  });
  const table = spec.table.schema ? `${spec.table.schema}.${spec.table.name}` : spec.table.name;
  const base = {
    jobId: spec.id,
    kind: spec.kind,
    table,
    ok: preflight.ok,
    checks: preflight.checks,
    ...(consents.from ? { consentsFrom: consents.from } : {}),
    ...(preflight.writeEstimate
      ? { estimatedWriteBytes: preflight.writeEstimate.bytes, writeEstimate: preflight.writeEstimate }
      : {}),
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

const noFlags: FlagReader = {
  isEnabled: async ({ flag }) => {
    throw new Error(`no flags source was given to read '${flag}'`);
  },
};

/** The checks that refused, as one sentence each. */
export function blockingChecks(report: Pick<PlanReport, 'checks'>): CheckResult[] {
  return report.checks.filter((c) => !c.ok && c.severity !== 'warning');
}
