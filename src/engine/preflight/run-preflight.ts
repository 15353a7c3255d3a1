import type { ColumnInfo, Database, IndexInfo, ReplicaTarget } from '../../db/types';
import type { CheckResult, JobSpec } from '../../job/types';
import { compileJob } from '../kinds/compile';
import { jobTarget, rememberTarget } from '../target';
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

/**
 * One catalog read shared by every check, loaded through the read-only view of the check that
 * asks first, so it runs on that check's transaction connection and never waits for a second
 * pooled one. A failed load is forgotten: the next check asks again on its own view.
 */
function shared<T>(load: (ro: Database) => Promise<T>): (ro: Database) => Promise<T> {
  let value: Promise<T> | undefined;
  return (ro) => {
    if (!value) {
      const loading = load(ro);
      value = loading;
      loading.catch(() => {
        if (value === loading) value = undefined;
      });
    }
    return value;
  };
}

/** Runs every applicable check; a check that throws counts as failed, with its error as the reason. */
export async function runPreflight({
  spec,
  db,
  replicas = [],
  checks = PREFLIGHT_CHECKS,
}: PreflightRequest): Promise<PreflightReport> {
  const columns = shared<ColumnInfo[]>((ro) => ro.columns(spec.table));
  const indexes = shared<IndexInfo[]>((ro) => ro.indexes(spec.table));
  const tableRows = shared((ro) => ro.estimateTableRows(spec.table));
  const contextOn = (ro: Database): PreflightContext => ({
    spec,
    db: ro,
    replicas,
    columns: () => columns(ro),
    indexes: () => indexes(ro),
    tableRows: () => tableRows(ro),
  });
  // Resolved once, outside the read-only transactions, and handed to each (see rememberTarget).
  const target = await jobTarget(db, spec).catch(() => undefined);
  const readOnly = <T>(fn: (ro: Database) => Promise<T>) =>
    db.withReadOnlyTransaction((ro) => {
      if (target) rememberTarget(ro, spec, target);
      return fn(ro);
    });
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (check.appliesTo && !check.appliesTo(spec)) continue;
    let outcome: CheckResult[];
    try {
      // Each check in its own read-only transaction, always rolled back: a dry run changes
      // nothing, and no transaction stays open from one check to the next.
      outcome = [await readOnly((ro) => check.run(contextOn(ro)))].flat();
    } catch (error) {
      outcome = [refuse(check.name, `could not be checked: ${(error as Error).message}`)];
    }
    results.push(...outcome);
    if (GATING_CHECKS.has(check.name) && outcome.some((r) => !r.ok)) break;
  }
  const ok = results.every((r) => r.ok || r.severity === 'warning');
  const estimatedRows = ok ? await readOnly((ro) => estimate(spec, ro)) : 0;
  return { ok, checks: results, estimatedRows, estimatedBatches: Math.ceil(estimatedRows / spec.batch.size) };
}

async function estimate(spec: JobSpec, db: Database): Promise<number> {
  try {
    return Math.max(0, Math.round(await (await compileJob(spec, db)).estimateRows(db)));
  } catch {
    return 0;
  }
}
