import { type SqlBuilder, sql } from '../../db/sql';
import { type Database, DbError } from '../../db/types';
import type { TableRef } from '../../sql/identifiers';

/** Matching rows are counted up to this many: exact, and a count this size is cheap. */
export const COUNTED_UP_TO = 100_000;

/**
 * Tables the planner counts at up to this many rows get the count. Its count can be several times
 * too high (dead tuples), so the gate is generous; the count stops at COUNTED_UP_TO matches, and
 * the job's statement timeout cuts it short.
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
 * - on a table the planner counts at COUNT_TABLES_UP_TO rows or fewer, matching rows are counted up to
 *   COUNTED_UP_TO, in a read-only transaction (always rolled back) under the job's lock and
 *   statement timeouts;
 * - otherwise (or when more match, or the count is cut short) the planner's selectivity
 *   (matching / all, both from EXPLAIN) times the adapter's row count of the table, which counts
 *   a never-analyzed table instead of guessing from its pages.
 */
export async function estimateMatchingRows(db: Database, input: MatchingEstimateInput): Promise<number> {
  const matching = sql(db.dialect, (b) => `SELECT 1 FROM ${b.table(input.table)} WHERE ${input.where}`);
  const all = sql(db.dialect, (b) => `SELECT 1 FROM ${b.table(input.table)}`);
  // The planner's count of the whole table gates the count: it may be several times too high
  // (dead tuples) or too low (never analyzed), and the statement timeout bounds the count anyway.
  const plannedAll = (await db.explain(all.text, all.values)).estimatedRows;
  if (plannedAll <= COUNT_TABLES_UP_TO) {
    const counted = await boundedMatchingCount(db, input).catch((err: unknown) => {
      // Blocked by DDL, too slow, or a predicate a read-only transaction refuses: ask the planner.
      if (err instanceof DbError && err.kind !== 'connection') return undefined;
      throw err;
    });
    if (counted !== undefined && counted <= COUNTED_UP_TO) return counted;
  }
  const planned = (await db.explain(matching.text, matching.values)).estimatedRows;
  const total = await db.estimateTableRows(input.table);
  if (!(plannedAll > 0)) return Math.min(planned, total);
  return Math.round(Math.min(1, planned / plannedAll) * total);
}

async function boundedMatchingCount(db: Database, input: MatchingEstimateInput): Promise<number> {
  const select = (b: SqlBuilder) =>
    `SELECT count(*) AS n FROM (SELECT 1 AS one FROM ${b.table(input.table)} WHERE ${input.where} LIMIT ${b.val(COUNTED_UP_TO + 1)}) bounded`;
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
  // The count runs the author's predicate, so it runs in the dry run's read-only transaction,
  // which is always rolled back, under the job's own timeouts for this statement only.
  return db.withReadOnlyTransaction(async (ro) => {
    let text: string;
    let values: readonly unknown[];
    if (db.engine === 'postgres') {
      // Transaction-local: gone at the rollback that ends every read-only transaction.
      await ro.query(
        "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
        [`${input.lockTimeoutMs}ms`, `${input.statementTimeoutMs}ms`],
      );
      ({ text, values } = sql(db.dialect, select));
    } else if ((await ro.serverVersion()).startsWith('mariadb')) {
      // SET STATEMENT ... FOR: the limits of this one statement, the session left as it was.
      ({ text, values } = sql(
        db.dialect,
        (b) =>
          `SET STATEMENT max_statement_time = ${b.val(input.statementTimeoutMs / 1000)}, lock_wait_timeout = ${b.val(seconds(input.lockTimeoutMs))} FOR ${select(b)}`,
      ));
    } else {
      // MySQL 8: the optimizer hint bounds this SELECT; a plain read takes no row locks.
      const ms = Math.max(1, Math.round(input.statementTimeoutMs));
      ({ text, values } = sql(db.dialect, (b) =>
        select(b).replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${ms}) */ `),
      ));
    }
    return Number((await ro.query<{ n: unknown }>(text, values)).rows[0]?.n ?? 0);
  });
}
