import { defineJob } from '../../src/job/define-job';
import type { DefineJobInput, JobSpec } from '../../src/job/types';
import type { TestEngine } from './databases';
import type { RawConnection } from './raw-sql';

/**
 * `accounts`: ids with gaps (id = 3n), NULLs in non-key columns, and an `applied_count` column
 * bumped by every SET so a test can prove each row changed exactly once. Rows whose n is a
 * multiple of 5 already have a tier and must be left alone by a `tier IS NULL` backfill.
 */
export async function createAccounts(
  conn: RawConnection,
  engine: TestEngine,
  rows: number,
  table = 'accounts',
) {
  if (engine === 'postgres') {
    await conn.query(`CREATE TABLE ${table} (
      id bigint PRIMARY KEY, tier text, lifetime_value numeric(12,2), note text,
      applied_count integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL)`);
    await conn.query(
      `INSERT INTO ${table} (id, tier, lifetime_value, note, created_at)
       SELECT n * 3, CASE WHEN n % 5 = 0 THEN 'legacy' END, (n % 2000)::numeric + 0.25,
              CASE WHEN n % 7 = 0 THEN NULL ELSE 'n' || n END, timestamptz '2020-01-01' + n * interval '1 minute'
       FROM generate_series(1, $1::int) AS n`,
      [rows],
    );
    await conn.query(`ANALYZE ${table}`);
    return;
  }
  await conn.query(`CREATE TABLE ${table} (
    id bigint PRIMARY KEY, tier varchar(20) NULL, lifetime_value decimal(12,2) NULL, note text NULL,
    applied_count int NOT NULL DEFAULT 0, created_at datetime(3) NOT NULL) ENGINE=InnoDB`);
  await conn.query(
    `INSERT INTO ${table} (id, tier, lifetime_value, note, created_at)
     SELECT seq * 3, CASE WHEN seq % 5 = 0 THEN 'legacy' END, (seq % 2000) + 0.25,
            CASE WHEN seq % 7 = 0 THEN NULL ELSE CONCAT('n', seq) END, TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq MINUTE
     FROM seq_1_to_${Math.trunc(rows)}`,
  );
  await conn.query(`ANALYZE TABLE ${table}`);
}

/** Rows the `tier IS NULL` backfill should change: those whose n is not a multiple of 5. */
export function backfillTargets(rows: number): number {
  return rows - Math.floor(rows / 5);
}

export const TIER_EXPRESSION = "CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'standard' END";

type UpdateOverrides = Partial<Omit<Extract<DefineJobInput, { kind: 'update' }>, 'kind'>>;

/**
 * The tier backfill over an accounts table as engine tests run it: sets the tier where it is
 * missing and bumps `applied_count`, so a row changed twice (or not at all) shows.
 */
export function accountsBackfill(
  engine: TestEngine,
  table: string,
  id: string,
  overrides: UpdateOverrides = {},
): JobSpec {
  return defineJob({
    id,
    owner: 'test',
    engine,
    database: 'primary',
    table,
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: TIER_EXPRESSION, applied_count: 'applied_count + 1' },
    batch: { size: 500, min: 100, max: 500 },
    ...overrides,
  });
}
