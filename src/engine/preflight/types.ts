import type { ColumnInfo, Database, IndexInfo, ReplicaTarget } from '../../db/types';
import type { CheckResult, JobSpec } from '../../job/types';

/** What every check may read; catalog lookups are memoised so checks can share them freely. */
export interface PreflightContext<S extends JobSpec = JobSpec> {
  readonly spec: S;
  readonly db: Database;
  readonly replicas: readonly ReplicaTarget[];
  columns(): Promise<ColumnInfo[]>;
  indexes(): Promise<IndexInfo[]>;
  tableRows(): Promise<number>;
}

/**
 * One preflight check: one small file in checks/, listed in the registry. A check must be
 * read-only (a dry run runs it too) and its failure reason must say what the operator should change.
 */
export interface PreflightCheck<S extends JobSpec = JobSpec> {
  readonly name: string;
  /** What it checks, for `lowtide plan` and the docs. */
  readonly description: string;
  /** Runs only for jobs it applies to (default: all). */
  appliesTo?(spec: S): boolean;
  run(ctx: PreflightContext<S>): Promise<CheckResult | CheckResult[]>;
}

export function pass(name: string, reason: string): CheckResult {
  return { name, ok: true, reason, severity: 'error' };
}

export function refuse(name: string, reason: string): CheckResult {
  return { name, ok: false, reason, severity: 'error' };
}

export function warn(name: string, reason: string): CheckResult {
  return { name, ok: false, reason, severity: 'warning' };
}

/** Below this many rows a full scan is cheap enough to be a note rather than a refusal. */
export const SMALL_TABLE_ROWS = 10_000;
