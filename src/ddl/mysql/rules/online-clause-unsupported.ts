import type { Rule } from '../../types';
import { type MyStatement, ONLINE_TOOLS } from '../statement';

export const onlineClauseUnsupported: Rule<MyStatement> = {
  id: 'mysql-online-clause-unsupported',
  engine: 'mysql',
  title: 'ALGORITHM= / LOCK= clause the operation cannot honour',
  lock: 'NONE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: 'The server refuses an ALGORITHM or LOCK it cannot honour (ER_ALTER_OPERATION_NOT_SUPPORTED): the statement fails at once and the migration stops there. The clause did its job; the change itself needs another way.',
  safeAlternative: `Split the statement so each part can run with the clause, or, if the operation needs a table copy, ${ONLINE_TOOLS.charAt(0).toLowerCase()}${ONLINE_TOOLS.slice(1)}`,
  check(stmt) {
    if (!stmt.plan || stmt.plan.ok) return [];
    return [
      {
        table: stmt.table,
        why: `${stmt.plan.requested}: ${stmt.plan.reason}. The statement fails at once and the migration stops there.`,
      },
    ];
  },
};
