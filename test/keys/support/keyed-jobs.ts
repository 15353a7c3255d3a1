import { formatPlan } from '../../../src/cli/plan/format-plan';
import { type PlanReport, planJob } from '../../../src/cli/plan/plan-job';
import { openDatabase } from '../../../src/db/open-database';
import { defineJob } from '../../../src/job/define-job';
import type { DefineJobInput, JobSpec } from '../../../src/job/types';
import { CONNECTION } from '../../e2e/support/connection';
import type { TestEngine } from '../../support/databases';
import type { RawConnection } from '../../support/raw-sql';

/** A job's key as a job file gives it: one column, columns in order, or left out (the primary key). */
export type KeyInput = string | readonly string[] | undefined;

/**
 * A job as a job file declares it, `key` included as given (left out when undefined). Goes through
 * `defineJob` untyped: the test states the public input, whatever the spec's TypeScript type says.
 */
export function keyedJob(
  engine: TestEngine,
  input: { readonly id: string; readonly table: string; readonly key: KeyInput } & Record<string, unknown>,
): JobSpec {
  const { key, ...rest } = input;
  return defineJob({
    owner: 'keytests',
    engine,
    database: CONNECTION,
    batch: { size: 50, min: 50, max: 50, targetMs: 200 },
    health: { pauseBetweenBatchesMs: 0 },
    ...(key === undefined ? {} : { key }),
    ...rest,
  } as unknown as DefineJobInput);
}

/** The ledger rows of a job, in batch order. */
export async function ledgerOf(
  raw: RawConnection,
  jobId: string,
): Promise<Array<{ batch_no: unknown; rows_done: unknown }>> {
  return raw.query(
    `SELECT batch_no, rows_done FROM lowtide_ledger WHERE job_id = '${jobId}' ORDER BY batch_no`,
  );
}

export async function countRows(raw: RawConnection, table: string, where = '1 = 1'): Promise<number> {
  const rows = await raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`);
  return Number(rows[0]!.n);
}

/** The reasons of a Blocked execution, one per refusing check. */
export function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

/** Whether the control table lowtide keeps in the target database exists (nothing ran if not). */
export async function ledgerExists(raw: RawConnection, engine: TestEngine): Promise<boolean> {
  const rows = await raw.query<{ n: unknown }>(
    engine === 'postgres'
      ? "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'lowtide_ledger'"
      : "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'lowtide_ledger'",
  );
  return Number(rows[0]!.n) > 0;
}

/**
 * `lowtide plan` for a job, in process: its report (what `--json` prints) and its human form.
 * Commits nothing.
 */
export async function planOf(spec: JobSpec, url: string): Promise<{ report: PlanReport; text: string }> {
  const db = openDatabase(url);
  try {
    const report = await planJob(spec, db);
    return { report, text: formatPlan(report) };
  } finally {
    await db.close();
  }
}
