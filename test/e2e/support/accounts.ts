import { defineJob } from '../../../src/job/define-job';
import type { DefineJobInput, JobSpec } from '../../../src/job/types';
import type { TestEngine } from '../../support/databases';
import { TIER_EXPRESSION } from '../../support/fixtures';
import type { RawConnection } from '../../support/raw-sql';
import { CONNECTION } from './connection';

type Overrides = Partial<Omit<Extract<DefineJobInput, { kind: 'update' }>, 'kind'>>;

/**
 * The e2e backfill over test/support's `accounts` fixture: sets the tier where it is missing and
 * bumps `applied_count`, so a row changed twice (or not at all) shows.
 */
export function backfillJob(engine: TestEngine, overrides: Overrides = {}): JobSpec {
  return defineJob({
    id: 'backfill-tier',
    owner: 'e2e',
    engine,
    database: CONNECTION,
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1' },
    verify: { invariant: 'tier IS NOT NULL' },
    batch: { size: 100, min: 10, max: 2000, targetMs: 200 },
    health: { pauseBetweenBatchesMs: 0 },
    ...overrides,
  });
}

export interface AppliedCounts {
  /** Rows per applied_count value, e.g. { 0: 200, 1: 800 }. */
  readonly byCount: Record<number, number>;
  /** Rows the backfill must not touch (they had a tier) but did. */
  readonly legacyTouched: number;
}

export async function appliedCounts(raw: RawConnection, table = 'accounts'): Promise<AppliedCounts> {
  const rows = await raw.query<{ applied: unknown; n: unknown }>(
    `SELECT applied_count AS applied, count(*) AS n FROM ${table} GROUP BY applied_count`,
  );
  const legacy = await raw.query<{ n: unknown }>(
    `SELECT count(*) AS n FROM ${table} WHERE tier = 'legacy' AND applied_count <> 0`,
  );
  return {
    byCount: Object.fromEntries(rows.map((r) => [Number(r.applied), Number(r.n)])),
    legacyTouched: Number(legacy[0]!.n),
  };
}

/** Rows still without a tier: what the backfill has left to do. */
export async function remaining(raw: RawConnection, table = 'accounts'): Promise<number> {
  const rows = await raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table} WHERE tier IS NULL`);
  return Number(rows[0]!.n);
}

export async function ledgerRows(raw: RawConnection, jobId: string, table = 'lowtide_ledger') {
  return raw.query<{ batch_no: unknown; lease_token: unknown; last_key: unknown; rows_done: unknown }>(
    `SELECT batch_no, lease_token, last_key, rows_done FROM ${table} WHERE job_id = '${jobId}' ORDER BY batch_no`,
  );
}

export async function tableExists(raw: RawConnection, engine: TestEngine, table: string): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '${table}'`,
        )
      : await raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${table}'`,
        );
  return Number(rows[0]!.n) > 0;
}
