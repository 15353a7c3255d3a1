import type { Database, ReplicaTarget } from '../db/types';
import type { ConsentLookup } from '../ddl/consent';
import { ddlGuardCheck } from '../ddl/preflight-check';
import {
  PREFLIGHT_CHECKS,
  type PreflightCheck,
  type PreflightReport,
  runPreflight,
  statementCeilingCheck,
} from '../engine';
import type { StatementCeiling } from '../job/statement-ceiling';
import type { JobSpec } from '../job/types';

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
}

export interface JobPreflightRequest extends JobPreflightOptions {
  readonly spec: JobSpec;
  readonly db: Database;
  /** The replicas whose lag the replica-lag check reads; none when the caller knows none. */
  readonly replicas?: readonly ReplicaTarget[];
}

/** For a caller that can read no control state: every DDL statement the guard refuses stays refused. */
export const NO_CONSENTS: ConsentLookup = async () => undefined;

/** The checks, in the order they run: the engine's registry, the statement ceiling, the DDL guard. */
export function jobPreflightChecks({ statementCeiling, consent }: JobPreflightOptions): PreflightCheck[] {
  return [
    ...PREFLIGHT_CHECKS,
    ...(statementCeiling ? [statementCeilingCheck(statementCeiling)] : []),
    ddlGuardCheck({ consent }),
  ];
}

/** Runs the composed checks: what a run of this job would be refused for, read-only. */
export function jobPreflight({
  spec,
  db,
  replicas = [],
  ...options
}: JobPreflightRequest): Promise<PreflightReport> {
  return runPreflight({ spec, db, replicas, checks: jobPreflightChecks(options) });
}
