import type { Database } from '../db/types';
import type { JobSpec } from '../job/types';
import { auditExists } from './audit/audit-table';
import { dryRunBatch } from './dry-run-batch';
import { kindOf } from './kinds/registry';

/** What a whole run of the job is expected to write, scaled up from one rolled-back sample batch. */
export interface WriteEstimate {
  /** Everything together: log + binlog + audit. */
  readonly bytes: number;
  /** WAL (PostgreSQL) or InnoDB redo (MySQL, MariaDB). */
  readonly logBytes: number;
  /** MySQL/MariaDB binary log, when it is on (estimated from row size: it is only written at commit). */
  readonly binlogBytes: number;
  /** The audit table's before-images, when the job keeps them. */
  readonly auditBytes: number;
  readonly rows: number;
  readonly sampleRows: number;
  /** `measured`: the log moved by a real change rolled back; `row-size`: estimated from the table's row size. */
  readonly basis: 'measured' | 'row-size' | 'nothing-to-do';
  /** How the figure was reached, for the plan and the preflight reason. */
  readonly note: string;
}

/** Dry-run attempts; the smallest is kept, since other sessions' writes only ever add to a server-wide counter. */
const ATTEMPTS = 2;
/** What an audit row adds to the before-image: job id, batch number, state, timestamps. */
const AUDIT_ROW_OVERHEAD_BYTES = 64;

/** Average bytes of one row of the job's table, from the catalog's statistics. */
export async function averageRowBytes(db: Database, spec: JobSpec): Promise<number> {
  if (db.engine === 'postgres') {
    // pg_column_size of whole rows over a small sample: right even before the table was analyzed.
    const table = db.dialect.quoteTable(spec.table);
    const { rows } = await db.query<{ avg: string | null }>(
      `SELECT avg(pg_column_size(s.*))::float8 AS avg FROM (SELECT * FROM ${table} LIMIT 100) s`,
    );
    return Math.max(1, Number(rows[0]?.avg ?? 0));
  }
  const { rows } = await db.query<{ avg: string | number | null }>(
    'SELECT AVG_ROW_LENGTH AS avg FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?',
    [spec.table.schema ?? null, spec.table.name],
  );
  return Math.max(1, Number(rows[0]?.avg ?? 0));
}

/** Bytes per changed row the binary log gets (row-based), or 0 when it is off or statement-based. */
async function binlogBytesPerRow(db: Database, spec: JobSpec, rowBytes: number): Promise<number> {
  if (db.engine !== 'mysql') return 0;
  const { rows } = await db.query<{ on: number | string; format: string; image: string }>(
    'SELECT @@log_bin AS `on`, @@binlog_format AS format, @@binlog_row_image AS image',
  );
  const settings = rows[0];
  if (!settings || Number(settings.on) !== 1 || settings.format === 'STATEMENT') return 0;
  // An update's row event carries the before and the after image (FULL); a delete the before only.
  return spec.kind === 'update' && settings.image === 'FULL' ? 2 * rowBytes : rowBytes;
}

/**
 * Estimates the bytes a whole run writes: one batch taken exactly as the run would (the engine's
 * dry run, rolled back) with the server's log position read before and after the change, scaled
 * by estimated rows / sampled rows; plus the binary log (MySQL, when on) and the audit table's
 * before-images (when audit is on), from the table's average row size. Where the change cannot be
 * tried (a custom job; an audited job whose audit table the first run creates), the log is
 * estimated from the row size too, and `basis` says so. `held` when another session is inside a
 * batch of the job (nothing was sampled, nothing waited). Commits nothing.
 */
export async function estimateWriteVolume({
  spec,
  db,
  rows,
}: {
  readonly spec: JobSpec;
  readonly db: Database;
  /** The rows the run is expected to change (the preflight's estimate). */
  readonly rows: number;
}): Promise<WriteEstimate | 'held'> {
  const kind = kindOf(spec);
  const audited = kind.audited(spec);
  const canChange = !kind.sampleSelectOnly && (!audited || (await auditExists(db, spec)));
  let sampleRows = 0;
  let sampleLog: number | undefined;
  for (let i = 0; i < ATTEMPTS; i++) {
    const outcome = await dryRunBatch({
      spec,
      db,
      batchSize: spec.batch.size,
      mode: canChange ? 'change' : 'select',
      measureLog: canChange,
    });
    if (outcome.status === 'empty' || rows <= 0) {
      return {
        bytes: 0,
        logBytes: 0,
        binlogBytes: 0,
        auditBytes: 0,
        rows: 0,
        sampleRows: 0,
        basis: 'nothing-to-do',
        note: 'no rows left to change',
      };
    }
    // Another run is inside a batch: it passed its own preflight; this start will find the lease held.
    if (outcome.status === 'held') return 'held';
    sampleRows = outcome.selected;
    if (outcome.status === 'changed' && outcome.logBytes !== undefined)
      sampleLog = Math.min(sampleLog ?? Number.POSITIVE_INFINITY, outcome.logBytes);
  }
  const rowBytes = await averageRowBytes(db, spec);
  const measured = sampleLog !== undefined && sampleRows > 0;
  // Unmeasured: a changed row costs about its size twice over (the new version and its log record).
  const logPerRow = measured ? sampleLog! / sampleRows : 2 * rowBytes;
  const logBytes = Math.round(logPerRow * rows);
  const binlogBytes = Math.round((await binlogBytesPerRow(db, spec, rowBytes)) * rows);
  const auditBytes = audited ? Math.round((rowBytes + AUDIT_ROW_OVERHEAD_BYTES) * rows) : 0;
  const log = db.engine === 'postgres' ? 'WAL' : 'redo log';
  const note = measured
    ? `${log} measured over a rolled-back sample of ${sampleRows} rows (${Math.round(logPerRow)} bytes a row), scaled to ${rows} rows`
    : `${log} estimated from the average row size (${Math.round(rowBytes)} bytes): ${kind.sampleSelectOnly ?? 'the audit table does not exist yet, so the change could not be sampled'}`;
  return {
    bytes: logBytes + binlogBytes + auditBytes,
    logBytes,
    binlogBytes,
    auditBytes,
    rows,
    sampleRows,
    basis: measured ? 'measured' : 'row-size',
    note:
      note +
      (binlogBytes > 0 ? `; binary log about ${binlogBytes} bytes from the row size` : '') +
      (auditBytes > 0 ? `; audit table about ${auditBytes} bytes of before-images` : ''),
  };
}
