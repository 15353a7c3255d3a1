import type { ColumnInfo, Database, IndexInfo, ReplicaTarget } from '../../db/types';
import type { CheckResult, JobSpec } from '../../job/types';
import { compileJob } from '../kinds/compile';
import { GATING_CHECKS, PREFLIGHT_CHECKS } from './registry';
import type { PreflightCheck, PreflightContext } from './types';
import { refuse } from './types';

export interface PreflightReport {
  /** True only when no check with severity error failed: preflight fails closed. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  readonly estimatedRows: number;
  readonly estimatedBatches: number;
}

export interface PreflightRequest {
  readonly spec: JobSpec;
  readonly db: Database;
  readonly replicas?: readonly ReplicaTarget[];
  /** Checks to run instead of the registry (tests, or a caller adding its own). */
  readonly checks?: readonly PreflightCheck[];
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** Runs every applicable check; a check that throws counts as failed, with its error as the reason. */
export async function runPreflight({
  spec,
  db,
  replicas = [],
  checks = PREFLIGHT_CHECKS,
}: PreflightRequest): Promise<PreflightReport> {
  const ctx: PreflightContext = {
    spec,
    db,
    replicas,
    columns: memo<ColumnInfo[]>(() => db.columns(spec.table)),
    indexes: memo<IndexInfo[]>(() => db.indexes(spec.table)),
    tableRows: memo(() => db.estimateTableRows(spec.table)),
  };
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (check.appliesTo && !check.appliesTo(spec)) continue;
    let outcome: CheckResult[];
    try {
      // Each check in its own read-only transaction, always rolled back: a dry run changes
      // nothing, and no transaction stays open from one check to the next.
      outcome = [await db.withReadOnlyTransaction((ro) => check.run({ ...ctx, db: ro }))].flat();
    } catch (error) {
      outcome = [refuse(check.name, `could not be checked: ${(error as Error).message}`)];
    }
    results.push(...outcome);
    if (GATING_CHECKS.has(check.name) && outcome.some((r) => !r.ok)) break;
  }
  const ok = results.every((r) => r.ok || r.severity === 'warning');
  const estimatedRows = ok ? await db.withReadOnlyTransaction((ro) => estimate(spec, ro)) : 0;
  return { ok, checks: results, estimatedRows, estimatedBatches: Math.ceil(estimatedRows / spec.batch.size) };
}

async function estimate(spec: JobSpec, db: Database): Promise<number> {
  try {
    return Math.max(0, Math.round(await (await compileJob(spec, db)).estimateRows(db)));
  } catch {
    return 0;
  }
}
