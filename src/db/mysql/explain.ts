import { DbError, type SelectionPlan } from '../types';
import { type MysqlRunner, runQuery } from './run-query';
import type { MysqlFlavour } from './server-info';

/** One row of tabular EXPLAIN; MySQL always has `filtered`, MariaDB only with EXTENDED. */
export interface ExplainRow {
  table?: string | null;
  type?: string | null;
  key?: string | null;
  rows?: unknown;
  filtered?: unknown;
  Extra?: string | null;
}

const PARSE_ERROR = '1064';

function explainPrefix(flavour: MysqlFlavour): string {
  // MySQL 8.0.32+ honours explain_format, which could turn plain EXPLAIN into a tree or JSON, so the
  // tabular format is asked for by name. MariaDB adds `filtered` only under EXTENDED.
  return flavour === 'mysql' ? 'EXPLAIN FORMAT=TRADITIONAL ' : 'EXPLAIN EXTENDED ';
}

function numberOrUndefined(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function describe(row: ExplainRow): string {
  const filtered = numberOrUndefined(row.filtered);
  const parts = [
    `type=${row.type ?? 'none'}`,
    `key=${row.key ?? 'none'}`,
    `rows=${numberOrUndefined(row.rows) ?? '?'}`,
    ...(filtered === undefined ? [] : [`filtered=${filtered}%`]),
    ...(row.Extra ? [row.Extra] : []),
  ];
  return `${row.table ?? '(no table)'}: ${parts.join(', ')}`;
}

/**
 * The main table is the first real table in the plan (derived tables and unions show up as
 * `<derived2>`, `<union1,2>`); for a keyset selection it is the job's table.
 */
export function planFromExplain(rows: readonly ExplainRow[]): SelectionPlan {
  const main = rows.find((r) => typeof r.table === 'string' && !r.table.startsWith('<')) ?? rows[0];
  if (!main) return { fullScan: false, estimatedRows: 0, summary: 'EXPLAIN returned no plan' };
  const examined = numberOrUndefined(main.rows) ?? 0;
  const filtered = numberOrUndefined(main.filtered);
  return {
    fullScan: main.type === 'ALL',
    estimatedRows: Math.round(filtered === undefined ? examined : (examined * filtered) / 100),
    summary: [main, ...rows.filter((r) => r !== main)].map(describe).join(' | '),
  };
}

/** EXPLAIN of a SELECT; the statement itself is not run. */
export async function mysqlExplain(
  runner: MysqlRunner,
  flavour: MysqlFlavour,
  text: string,
  values?: readonly unknown[],
): Promise<SelectionPlan> {
  if (!/^\s*(select\b|with\b|\()/i.test(text)) {
    throw new DbError(
      'other',
      'explain() takes a SELECT (or WITH ... SELECT): lowtide explains the selection of a batch, never a write',
      undefined,
    );
  }
  try {
    return planFromExplain((await runQuery<ExplainRow>(runner, explainPrefix(flavour) + text, values)).rows);
  } catch (err) {
    // A MariaDB that has dropped EXTENDED still explains the plain way, just without `filtered`.
    if (flavour !== 'mariadb' || !(err instanceof DbError) || err.code !== PARSE_ERROR) throw err;
  }
  return planFromExplain((await runQuery<ExplainRow>(runner, `EXPLAIN ${text}`, values)).rows);
}
