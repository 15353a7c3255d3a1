import type { Rule } from '../../types';
import { lockClass, type MyStatement, ONLINE_TOOLS } from '../statement';

export const alterBlocksWrites: Rule<MyStatement> = {
  id: 'mysql-alter-blocks-writes',
  engine: 'mysql',
  title:
    'In-place ALTER that allows only LOCK=SHARED or EXCLUSIVE (FULLTEXT or SPATIAL index, AUTO_INCREMENT column, or an explicit LOCK=SHARED/EXCLUSIVE)',
  lock: 'SHARED',
  algorithm: 'INPLACE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'The operation runs in place but does not permit concurrent writes: every INSERT, UPDATE and DELETE on the table waits until it ends.',
  safeAlternative: `Drop the explicit LOCK clause if the operation allows LOCK=NONE; otherwise ${ONLINE_TOOLS.charAt(0).toLowerCase()}${ONLINE_TOOLS.slice(1)}`,
  check(stmt) {
    const plan = stmt.plan;
    if (!plan?.ok || plan.algorithm === 'COPY' || plan.lock === 'NONE') return [];
    return [
      {
        table: stmt.table,
        lock: lockClass(plan.lock),
        algorithm: plan.algorithm,
        rewritesTable: plan.rebuild,
        why: `${plan.reasons.join('; ') || 'the operation'}: the server holds LOCK=${plan.lock} on ${stmt.table} throughout, so ${plan.lock === 'SHARED' ? 'every write waits' : 'every read and write waits'} until it ends.${plan.difference ? ` ${plan.difference}.` : ''}`,
      },
    ];
  },
};
