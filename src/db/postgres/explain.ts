import type { SelectionPlan } from '../types';
import { type PgQueryable, runQuery } from './run-query';

/** The fields of an `EXPLAIN (FORMAT JSON)` node that lowtide reads. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Plan Rows'?: number;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/**
 * Plans a statement without running it (no ANALYZE). runQuery's extended protocol refuses a
 * second statement, so text that smuggles one in fails instead of executing.
 */
export async function explainSelection(
  db: PgQueryable,
  text: string,
  values?: readonly unknown[],
): Promise<SelectionPlan> {
  const { rows } = await runQuery<PlanRow>(db, explainText(text), values);
  return planOf(rows);
}

export type PlanRow = { 'QUERY PLAN': Array<{ Plan: PlanNode }> };

/** The EXPLAIN lowtide sends for `text`: planned, never executed. */
export function explainText(text: string): string {
  return `EXPLAIN (FORMAT JSON) ${text}`;
}

export function planOf(rows: readonly PlanRow[]): SelectionPlan {
  return summarisePlan(rows[0]!['QUERY PLAN'][0]!.Plan);
}

export function summarisePlan(top: PlanNode): SelectionPlan {
  const estimatedRows = top['Plan Rows'] ?? 0;
  return {
    fullScan: someNode(top, (node) => node['Node Type'] === 'Seq Scan'),
    estimatedRows,
    summary: `${describeTree(top)}; estimated ${estimatedRows} rows`,
  };
}

function someNode(node: PlanNode, test: (node: PlanNode) => boolean): boolean {
  return test(node) || (node.Plans ?? []).some((child) => someNode(child, test));
}

/** `Limit(Index Only Scan using t_pkey on t)`: node types, indexes and tables, nested as planned. */
function describeTree(node: PlanNode): string {
  let text = node['Node Type'];
  if (node['Index Name']) text += ` using ${node['Index Name']}`;
  if (node['Relation Name']) text += ` on ${node['Relation Name']}`;
  const children = node.Plans ?? [];
  return children.length ? `${text}(${children.map(describeTree).join(', ')})` : text;
}
