import type { Rule, RuleHit } from '../../types';
import { alterOps, type MyStatement } from '../statement';

export const defaultEvaluatedOnce: Rule<MyStatement> = {
  id: 'mysql-add-column-default-evaluated-once',
  engine: 'mysql',
  title: 'MariaDB: ADD COLUMN with a non-constant DEFAULT (RAND(), NOW() + INTERVAL ...) done instantly',
  lock: 'NONE',
  algorithm: 'INSTANT',
  severity: 'warn',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'MariaDB adds the column instantly by evaluating the default once for the whole ALTER: every existing row gets that one value, not a value of its own as new rows do.',
  safeAlternative:
    'If each existing row needs its own value, add the column with a constant (or no) default and fill it with a lowtide backfill job in batches.',
  check(stmt) {
    const plan = stmt.plan;
    if (!plan?.ok || plan.algorithm === 'COPY') return [];
    const hits: RuleHit[] = [];
    for (const op of alterOps(stmt)) {
      if (op.kind !== 'add-column' || !op.expressionDefault || !op.defaultEvaluatedOnce) continue;
      hits.push({
        table: stmt.table,
        algorithm: plan.algorithm,
        why: `the default of ${op.column} is evaluated once, at the ALTER: every existing row of ${stmt.table} gets that same value.`,
      });
    }
    return hits;
  },
};
