import type pg from 'pg';
import type { TableRef } from '../../sql/identifiers';
import { DbError } from '../types';
import { regclassArgument } from './catalog';
import { type CheckedOutClient, checkOut } from './checked-out-client';
import { postgresDialect } from './dialect';
import { explainSelection } from './explain';
import { type PgQueryable, type PgStatementRunner, runQuery } from './run-query';

/**
 * Runs `work` in a transaction or savepoint that is rolled back afterwards, so the short timeouts
 * it sets end with it: a read-only transaction of its own on a pooled connection, or, inside a dry
 * run's read-only transaction, a savepoint on that transaction's connection.
 */
export type RolledBackScope = <T>(work: (q: PgQueryable) => Promise<T>) => Promise<T>;

/** A RolledBackScope on a connection of its own from the pool, held for the scope only. */
export function pooledScope(pool: pg.Pool): RolledBackScope {
  return async (work) => {
    const client = await checkOut(pool);
    try {
      await client.run('BEGIN READ ONLY');
      try {
        return await work(statementsOf(client));
      } finally {
        await client.run('ROLLBACK').catch((err: unknown) => client.markBroken(err));
      }
    } finally {
      client.release();
    }
  };
}

/** The client's statements as a PgQueryable, each with the client's watch on its connection. */
export function statementsOf(client: CheckedOutClient): PgStatementRunner {
  return { query: (config) => client.run(config.text, config.values) };
}

/** Rows a never-analyzed table is counted up to; past it the planner's guess is used. */
export const COUNT_BOUND = 100_000;

interface TableStats {
  readonly reltuples: number;
  readonly relpages: number;
  readonly current_pages: string;
  readonly relkind: string;
}

/**
 * The table's row count as the planner sees it, without a full scan:
 *
 * - Analyzed (reltuples >= 0): reltuples scaled by how the table grew or shrank since, as the
 *   planner itself does (reltuples / relpages x current pages).
 * - Never analyzed (reltuples = -1), or statistics that cannot be scaled (relpages = 0 while the
 *   table has pages now), or a partitioned parent: a count that stops after COUNT_BOUND rows. It is
 *   exact for small and new tables, where the planner's fallback (it assumes 10 pages) is far off;
 *   for a bigger table the planner's page-based estimate, but never less than the rows counted.
 *   The count runs under short lock and statement timeouts so it cannot hang behind DDL.
 */
export async function estimateRows(q: PgQueryable, scope: RolledBackScope, table: TableRef): Promise<number> {
  const { rows } = await runQuery<TableStats>(
    q,
    `SELECT c.reltuples::float8 AS reltuples,
            c.relpages::int8 AS relpages,
            pg_relation_size(c.oid) / current_setting('block_size')::int8 AS current_pages,
            c.relkind::text AS relkind
       FROM pg_class c
      WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'm', 'f')`,
    [regclassArgument(table)],
  );
  const stats = rows[0];
  if (!stats) {
    throw new DbError(
      'other',
      `table ${regclassArgument(table)} does not exist (or is not a table): check the job's table and schema`,
      '42P01',
    );
  }
  const currentPages = Number(stats.current_pages);
  if (stats.relkind !== 'p' && stats.reltuples >= 0) {
    if (stats.relpages > 0) return Math.round((stats.reltuples / stats.relpages) * currentPages);
    if (currentPages === 0) return Math.round(stats.reltuples);
  }
  const counted = await boundedCount(scope, table).catch((err: unknown) => {
    // Blocked by DDL or too slow to count: the planner's guess is still an answer.
    if (err instanceof DbError && (err.kind === 'lock-timeout' || err.kind === 'statement-timeout'))
      return undefined;
    throw err;
  });
  if (counted !== undefined && counted <= COUNT_BOUND) return counted;
  const planned = await explainSelection(q, `SELECT 1 FROM ${postgresDialect.quoteTable(table)}`);
  return Math.max(counted ?? 0, Math.round(planned.estimatedRows));
}

function boundedCount(scope: RolledBackScope, table: TableRef): Promise<number> {
  return scope(async (q) => {
    await runQuery(
      q,
      `SELECT set_config('lock_timeout', '1000ms', true), set_config('statement_timeout', '5000ms', true)`,
    );
    const { rows } = await runQuery<{ n: string }>(
      q,
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${postgresDialect.quoteTable(table)} LIMIT $1) bounded`,
      [COUNT_BOUND + 1],
    );
    return Number(rows[0]!.n);
  });
}
