import type { Database } from '../db/types';
import type { GuardContext } from '../ddl/database-catalog';
import { tableBytes } from '../ddl/table-bytes';
import { ceilingProblem, type StatementCeiling } from '../job/statement-ceiling';
import type { DdlPhase } from './types';

/** Default bound on a statement that reads the whole table (an index build, a VALIDATE). */
export const LONG_SCAN_MS = 6 * 60 * 60_000;
/** Default bound on any other DDL statement (they take metadata locks, under a short lock timeout). */
export const DEFAULT_DDL_STATEMENT_MS = 30 * 60_000;

/**
 * The scan throughput a table-sized phase's duration estimate assumes, per pass over the table's
 * data: 10 MB/s. Deliberately slow, so the estimate errs long: a busy production primary on
 * general-purpose storage whose baseline I/O the application already uses, an index build that
 * also sorts and writes the index (and its WAL or redo), CONCURRENTLY's wait for older
 * transactions. For scale: on an idle 2-core test machine with a 1,000,000-row table (65 MB) in
 * cache, CREATE INDEX CONCURRENTLY of a text column ran at about 47 MB/s per pass, VALIDATE
 * CONSTRAINT at about 380 MB/s, and MariaDB's in-place ADD INDEX at about 34 MB/s per pass; a
 * production primary under load, reading from storage, is slower. Measure yours (the duration of a CREATE INDEX CONCURRENTLY of a known table) and
 * set it with `scanMbPerSecond` (runRecipe), `settings.ddlScanMbPerSecond` (local runtime) or the
 * stack's `ddlScanMbPerSecond` (LOWTIDE_DDL_SCAN_MB_PER_SECOND on Lambda).
 */
export const DEFAULT_SCAN_MB_PER_SECOND = 10;

const MB = 1024 * 1024;

/** The statement timeout a DDL phase runs under: its own, else the default, never above the ceiling. */
export function phaseStatementTimeoutMs(phase: DdlPhase, ceiling?: StatementCeiling): number {
  if (phase.statementTimeoutMs !== undefined) return phase.statementTimeoutMs;
  const wanted = phase.tableScan ? LONG_SCAN_MS : DEFAULT_DDL_STATEMENT_MS;
  return ceiling ? Math.min(wanted, ceiling.ms) : wanted;
}

/** A phase timeout the recipe's author set above the ceiling where it runs (undefined: it fits). */
export function phaseTimeoutProblem(
  recipeId: string,
  phase: DdlPhase,
  ceiling: StatementCeiling | undefined,
): string | undefined {
  if (!ceiling || phase.statementTimeoutMs === undefined) return undefined;
  return ceilingProblem(
    `recipe '${recipeId}' phase '${phase.name}'`,
    'statementTimeoutMs',
    phase.statementTimeoutMs,
    ceiling,
  );
}

export interface DurationLimits {
  readonly ceiling?: StatementCeiling;
  readonly scanMbPerSecond?: number;
}

function size(bytes: number): string {
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(1)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} kB`;
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.ceil(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * Before a phase that reads the whole table: its duration estimated from the table's size (no
 * scan: the catalog's figures) at the assumed throughput, refused when it cannot finish within
 * the statement timeout it would run under. A statement the database or Lambda cuts off
 * half-way leaves work undone (on PostgreSQL an INVALID index) and is retried no faster.
 */
export async function phaseDurationProblem(
  db: Database,
  phase: DdlPhase,
  context: GuardContext,
  limits: DurationLimits,
): Promise<string | undefined> {
  const scan = phase.tableScan;
  if (!scan) return undefined;
  const bytes = await tableBytes(db, scan.table);
  if (bytes === undefined) return undefined;
  const mbPerSecond = limits.scanMbPerSecond ?? DEFAULT_SCAN_MB_PER_SECOND;
  const estimateMs = ((bytes * scan.passes) / (mbPerSecond * MB)) * 1000;
  const timeoutMs = phaseStatementTimeoutMs(phase, limits.ceiling);
  if (estimateMs <= timeoutMs) return undefined;
  const rows = await context.tableSizes?.(scan.table);
  const table = `${scan.table} (${size(bytes)}${rows === undefined ? '' : `, about ${Math.round(rows)} rows`})`;
  const bound =
    phase.statementTimeoutMs === undefined && limits.ceiling && timeoutMs === limits.ceiling.ms
      ? `the ${timeoutMs} ms one statement may run here (${limits.ceiling.source}): ${limits.ceiling.instead}`
      : `its statement timeout of ${timeoutMs} ms: raise the recipe's statementTimeoutMs`;
  return (
    `${phase.name}: refused, it reads ${table} ${scan.passes === 1 ? 'once' : `${scan.passes} times`}, ` +
    `about ${duration(estimateMs)} at the assumed ${mbPerSecond} MB/s, more than ${bound}; ` +
    'if this database reads faster, measure it and raise the assumed throughput (scanMbPerSecond, or ddlScanMbPerSecond for the stack)'
  );
}
