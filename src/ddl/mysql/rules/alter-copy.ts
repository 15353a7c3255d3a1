import type { Rule } from '../../types';
import { lockClass, type MyStatement, ONLINE_TOOLS } from '../statement';

export const alterCopy: Rule<MyStatement> = {
  id: 'mysql-alter-copy',
  engine: 'mysql',
  title:
    'ALTER that falls back to ALGORITHM=COPY (type change, stored generated column, CHECK, foreign key with checks on, ...)',
  lock: 'SHARED',
  algorithm: 'COPY',
  severity: 'block',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'The server copies the table row by row into a new one while holding at least LOCK=SHARED: reads go on, every write waits until the copy ends. Replicas then replay the same copy, lagging for as long.',
  safeAlternative: ONLINE_TOOLS,
  check(stmt) {
    const plan = stmt.plan;
    if (!plan?.ok || plan.algorithm !== 'COPY') return [];
    const reasons = plan.reasons.length > 0 ? ` (${plan.reasons.join('; ')})` : '';
    return [
      {
        table: stmt.table,
        lock: lockClass(plan.lock),
        algorithm: 'COPY',
        why: `the server must copy ${stmt.table}${reasons}, holding LOCK=${plan.lock}: every write to ${stmt.table} waits until the copy ends, and replicas replay the copy afterwards.${plan.difference ? ` ${plan.difference}.` : ''}`,
      },
    ];
  },
};
