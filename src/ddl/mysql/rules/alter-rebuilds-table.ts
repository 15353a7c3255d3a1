import type { Rule } from '../../types';
import { type MyStatement, ONLINE_TOOLS } from '../statement';

export const alterRebuildsTable: Rule<MyStatement> = {
  id: 'mysql-alter-rebuilds-table',
  engine: 'mysql',
  title: 'In-place ALTER that rebuilds the table (LOCK=NONE)',
  lock: 'NONE',
  algorithm: 'INPLACE',
  severity: 'warn',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'Writes go on, but the whole table is rebuilt: heavy I/O, an exclusive metadata lock at the start and the end, and replicas apply the rebuild only after the primary finishes, lagging for its whole duration.',
  safeAlternative: `Run it in a quiet window with replica lag watched, or ${ONLINE_TOOLS.charAt(0).toLowerCase()}${ONLINE_TOOLS.slice(1)}`,
  check(stmt) {
    const plan = stmt.plan;
    if (!plan?.ok || plan.algorithm !== 'INPLACE' || !plan.rebuild || plan.lock !== 'NONE') return [];
    return [
      {
        table: stmt.table,
        why: `${plan.reasons.join('; ') || 'the operation rebuilds the table'}: writes to ${stmt.table} go on, but the rebuild is heavy and replicas lag for its whole duration.${plan.difference ? ` ${plan.difference}.` : ''}`,
      },
    ];
  },
};
