import { sql } from '../../db/sql';
import { type Database, DbError } from '../../db/types';
import type { TableRef } from '../../job/identifiers';

/** Matching rows are counted up to this many: exact, and a count this size is cheap. */
export const COUNTED_UP_TO = 100_000;

/**
 * Tables the adapter estimates at up to this many rows get the count. The estimate itself can be
 * several times too high (dead tuples), so the gate is generous; the count reads at most this many
 * rows, stops at COUNTED_UP_TO matches, and the job's statement timeout cuts it short.
 */
export const COUNT_TABLES_UP_TO = 2_000_000;

interface MatchingEstimateInput {
  readonly table: TableRef;
  /** The job's predicate, already validated, parenthesised or `1 = 1`. */
  readonly where: string;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/**
 * Rows of `table` matching `where`, for plan and the maxRows check. The planner's estimate of the
 * predicate alone can be far off in both directions: on a table never analyzed PostgreSQL guesses
 * both the row count (from the pages and the column widths) and the selectivity (0.5% for IS NULL),
 * and on a table full of dead tuples it scales its count by pages that hold no live rows (100k rows
 * rewritten ten times without a vacuum read as a million). So:
 *
 * - on a table estimated at COUNT_TABLES_UP_TO rows or fewer, matching rows are counted up to
 *   COUNTED_UP_TO, in a read-only transaction under the job's lock and statement timeouts;
 * - otherwise (or when more match, or the count is cut short) the planner's selectivity
 *   (matching / all, both from EXPLAIN) times the adapter's row count of the table, which counts
 *   a never-analyzed table instead of guessing from its pages.
 */
export async function estimateMatchingRows(db: Database, input: MatchingEstimateInput): Promise<number> {
  const total = await db.estimateTableRows(input.table);
  if (total <= COUNT_TABLES_UP_TO) {
    const counted = await boundedMatchingCount(db, input).catch((err: unknown) => {
      // Blocked by DDL, too slow, or a predicate a read-only transaction refuses: ask the planner.
      if (err instanceof DbError && err.kind !== 'connection') return undefined;
      throw err;
    });
    if (counted !== undefined && counted <= COUNTED_UP_TO) return counted;
  }
  const matching = sql(db.dialect, (b) => `SELECT 1 FROM ${b.table(input.table)} WHERE ${input.where}`);
  const all = sql(db.dialect, (b) => `SELECT 1 FROM ${b.table(input.table)}`);
  const planned = (await db.explain(matching.text, matching.values)).estimatedRows;
  const plannedAll = (await db.explain(all.text, all.values)).estimatedRows;
  if (!(plannedAll > 0)) return Math.min(planned, total);
  return Math.round(Math.min(1, planned / plannedAll) * total);
}

async function boundedMatchingCount(db: Database, input: MatchingEstimateInput): Promise<number> {
  const stmt = sql(
    db.dialect,
    (b) =>
      `SELECT count(*) AS n FROM (SELECT 1 AS one FROM ${b.table(input.table)} WHERE ${input.where} LIMIT ${b.val(COUNTED_UP_TO + 1)}) bounded`,
  );
  // The count runs the author's predicate, so it runs read-only and is always rolled back: a dry
  // run changes nothing, whatever the predicate calls.
  const begin = db.engine === 'postgres' ? 'BEGIN READ ONLY' : 'START TRANSACTION READ ONLY';
  return db.withSession(
    { lockTimeoutMs: input.lockTimeoutMs, statementTimeoutMs: input.statementTimeoutMs },
    async (session) => {
      await session.query(begin);
      try {
        return Number((await session.query<{ n: unknown }>(stmt.text, stmt.values)).rows[0]?.n ?? 0);
      } finally {
        await session.query('ROLLBACK');
      }
    },
  );
}
