import type { Database, ReplicaTarget } from '../db/types';
import type { ConsentLookup } from '../ddl/consent';
import { ddlGuardCheck } from '../ddl/preflight-check';
import type { RuleSettings } from '../ddl/rule-settings';
import {
  estimateWriteVolume,
  PREFLIGHT_CHECKS,
  type PreflightCheck,
  type PreflightReport,
  runPreflight,
  statementCeilingCheck,
  type WriteEstimate,
} from '../engine';
import type { FlagReader } from '../health/types';
import type { FeatureFlagRef } from '../job/feature-flag';
import type { StatementCeiling } from '../job/statement-ceiling';
import type { CheckResult, JobSpec } from '../job/types';
import { flagCheck } from './flag-check';
import { type WriteVolumeOptions, writeVolumeCheck } from './write-volume-check';

/**
 * A job's preflight, composed once for every caller: the run's Preflight step, a recipe's backfill
 * phase and `lowtide plan` all run this list, so a plan that passes is a run that starts (the
 * control state's blockers aside: approval, abort, a running lease).
 */
export interface JobPreflightOptions {
  /** The longest one statement may run where the run executes (Lambda's timeout); none locally. */
  readonly statementCeiling?: StatementCeiling;
  /** Where the operators' DDL consents are read; the run reads the job's control item. */
  readonly consent: ConsentLookup;
  /**
   * The repository's rule settings for the DDL guard (the deployment config's `ddlGuard`, locally
   * also `.lowtide-lint.json`), so the gate judges a statement as `lowtide lint` does. Default: none.
   */
  readonly ddlRules?: RuleSettings;
  /** The feature flags that gate the job and where they are read; none when absent. */
  readonly flags?: { readonly reader: FlagReader; readonly refs: readonly FeatureFlagRef[] };
  /** How the write volume is estimated and what it is compared with (write-volume-check.ts). */
  readonly writeVolume?: WriteVolumeOptions;
}

export interface JobPreflightRequest extends JobPreflightOptions {
  readonly spec: JobSpec;
  readonly db: Database;
  /** The replicas whose lag the replica-lag check reads; none when the caller knows none. */
  readonly replicas?: readonly ReplicaTarget[];
}

export interface JobPreflightReport extends PreflightReport {
  /** The bytes a run would write, when they were estimated (see write-volume-check.ts). */
  readonly writeEstimate?: WriteEstimate;
}

/** For a caller that can read no control state: every DDL statement the guard refuses stays refused. */
export const NO_CONSENTS: ConsentLookup = async () => undefined;

/** The checks, in the order they run: the engine's registry, the statement ceiling, the DDL guard. */
export function jobPreflightChecks({
  statementCeiling,
  consent,
  ddlRules,
}: JobPreflightOptions): PreflightCheck[] {
  return [
    ...PREFLIGHT_CHECKS,
    ...(statementCeiling ? [statementCeilingCheck(statementCeiling)] : []),
    ddlGuardCheck({ consent, ...(ddlRules ? { rules: ddlRules } : {}) }),
  ];
}

/**
 * Runs the composed checks: what a run of this job would be refused for, read-only. The feature
 * flags and the free storage are read outside any database transaction (they are network calls),
 * and the write volume is sampled only once every other check passed, in a batch rolled back.
 */
export async function jobPreflight({
  spec,
  db,
  replicas = [],
  ...options
}: JobPreflightRequest): Promise<JobPreflightReport> {
  const flagResults = options.flags ? await flagCheck(options.flags.reader, options.flags.refs) : [];
  const report = await runPreflight({ spec, db, replicas, checks: jobPreflightChecks(options) });
  const extra: CheckResult[] = [...flagResults];
  let writeEstimate: WriteEstimate | undefined;
  // A kill switch that is off means hands off: not even a rolled-back sample batch.
  const flagsOn = flagResults.every((r) => r.ok);
  if (report.ok && flagsOn && options.writeVolume) {
    const outcome = await writeVolumeCheck(spec, report.estimatedRows, options.writeVolume, (rows) =>
      estimateWriteVolume({ spec, db, rows }),
    );
    extra.push(...outcome.results);
    writeEstimate = outcome.estimate;
  }
  const checks = [...report.checks, ...extra];
  const ok = checks.every((r) => r.ok || r.severity === 'warning');
  return { ...report, ok, checks, ...(writeEstimate ? { writeEstimate } : {}) };
}
