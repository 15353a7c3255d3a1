import type { Database } from '../../db/types';

/** The demo's own table: a name no application uses, since the seed drops and recreates it. */
export const DEMO_TABLE = 'lowtide_demo_accounts';

/** The demo's default size; `LOWTIDE_DEMO_ROWS` shrinks it (CI) or grows it. */
export const DEFAULT_DEMO_ROWS = 100_000;

/** Every tenth row starts with a tier; the backfill must leave those alone. */
export const PRESET_EVERY = 10;

/**
 * Rows the backfill should change: all but every tenth. The ids run 1..rows.
 */
export function demoTargets(rows: number): number {
  return rows - Math.floor(rows / PRESET_EVERY);
}

/** Reads `LOWTIDE_DEMO_ROWS`: a whole number of rows from 1 to 10 million. */
export function demoRowsFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_DEMO_ROWS;
  const rows = Number(value);
  if (!Number.isInteger(rows) || rows < 1 || rows > 10_000_000) {
    throw new RangeError(`LOWTIDE_DEMO_ROWS must be a whole number from 1 to 10000000; got '${value}'`);
  }
  return rows;
}

/**
 * The value lifetime_value takes for row n: spread so the three tiers all occur (standard below
 * 100, silver from 100, gold from 1000).
 */
const LIFETIME_VALUE_PG = '((n * 7919) % 2000)::numeric + 0.5';
const LIFETIME_VALUE_MYSQL = '((n * 7919) % 2000) + 0.5';

/**
 * (Re)creates the demo table with `rows` rows, analyzed so the planner's estimates are sound.
 * PostgreSQL uses generate_series; MySQL and MariaDB a cross join of digits (no recursion limits).
 */
export async function seedDemoTable(db: Database, rows: number): Promise<void> {
  const t = db.dialect.quoteIdent(DEMO_TABLE);
  await db.query(`DROP TABLE IF EXISTS ${t}`);
  if (db.engine === 'postgres') {
    await db.query(`CREATE TABLE ${t} (
      id bigint PRIMARY KEY, email text NOT NULL, lifetime_value numeric(12,2) NOT NULL, tier text,
      backfill_count integer NOT NULL DEFAULT 0)`);
    await db.query(
      `INSERT INTO ${t} (id, email, lifetime_value, tier)
       SELECT n, 'user' || n || '@example.com', ${LIFETIME_VALUE_PG}, CASE WHEN n % ${PRESET_EVERY} = 0 THEN 'legacy' END
       FROM generate_series(1, $1::int) AS n`,
      [rows],
    );
    await db.query(`ANALYZE ${t}`);
    return;
  }
  await db.query(`CREATE TABLE ${t} (
    id bigint PRIMARY KEY, email varchar(64) NOT NULL, lifetime_value decimal(12,2) NOT NULL, tier varchar(20) NULL,
    backfill_count int NOT NULL DEFAULT 0) ENGINE=InnoDB`);
  const digits =
    '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
  const places = Math.max(1, Math.ceil(Math.log10(rows + 1)));
  const aliases = Array.from({ length: places }, (_, i) => `p${i}`);
  const number = aliases.map((a, i) => `${a}.d * ${10 ** i}`).join(' + ');
  await db.query(
    `INSERT INTO ${t} (id, email, lifetime_value, tier)
     SELECT n, CONCAT('user', n, '@example.com'), ${LIFETIME_VALUE_MYSQL}, CASE WHEN n % ${PRESET_EVERY} = 0 THEN 'legacy' END
     FROM (SELECT ${number} + 1 AS n FROM ${aliases.map((a) => `${digits} ${a}`).join(' CROSS JOIN ')}) numbers
     WHERE n <= ?`,
    [rows],
  );
  await db.query(`ANALYZE TABLE ${t}`);
}

export interface DemoVerification {
  readonly ok: boolean;
  /** Rows the backfill changed (tier set, backfill_count 1). */
  readonly changed: number;
  readonly expectedChanged: number;
  /** Rows whose tier is still NULL. */
  readonly missing: number;
  /** Changed rows whose tier does not follow lifetime_value. */
  readonly wrong: number;
  /** Preset rows that the backfill touched (it must not). */
  readonly presetTouched: number;
  /** Rows changed more than once. */
  readonly changedTwice: number;
}

/** Checks the demo's outcome independently of lowtide's own verification, by counting. */
export async function verifyDemoTable(db: Database, rows: number): Promise<DemoVerification> {
  const t = db.dialect.quoteIdent(DEMO_TABLE);
  const expected =
    "CASE WHEN lifetime_value >= 1000 THEN 'gold' WHEN lifetime_value >= 100 THEN 'silver' ELSE 'standard' END";
  const { rows: found } = await db.query<Record<string, unknown>>(
    `SELECT
       SUM(CASE WHEN backfill_count = 1 THEN 1 ELSE 0 END) AS changed,
       SUM(CASE WHEN tier IS NULL THEN 1 ELSE 0 END) AS missing,
       SUM(CASE WHEN backfill_count = 1 AND tier <> ${expected} THEN 1 ELSE 0 END) AS wrong,
       SUM(CASE WHEN id % ${PRESET_EVERY} = 0 AND (tier <> 'legacy' OR backfill_count <> 0) THEN 1 ELSE 0 END) AS preset_touched,
       SUM(CASE WHEN backfill_count > 1 THEN 1 ELSE 0 END) AS changed_twice
     FROM ${t}`,
  );
  const r = found[0] ?? {};
  const n = (v: unknown) => Number(v ?? 0);
  const result = {
    changed: n(r.changed),
    expectedChanged: demoTargets(rows),
    missing: n(r.missing),
    wrong: n(r.wrong),
    presetTouched: n(r.preset_touched),
    changedTwice: n(r.changed_twice),
  };
  const ok =
    result.changed === result.expectedChanged &&
    result.missing === 0 &&
    result.wrong === 0 &&
    result.presetTouched === 0 &&
    result.changedTwice === 0;
  return { ok, ...result };
}
