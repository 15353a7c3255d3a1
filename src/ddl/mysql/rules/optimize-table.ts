import type { Rule } from '../../types';
import { type MyStatement, ONLINE_TOOLS } from '../statement';

export const optimizeTable: Rule<MyStatement> = {
  id: 'mysql-optimize-table',
  engine: 'mysql',
  title: 'OPTIMIZE TABLE',
  lock: 'NONE',
  algorithm: 'INPLACE',
  severity: 'warn',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'On InnoDB, OPTIMIZE TABLE is ALTER TABLE ... FORCE: an in-place rebuild of the whole table (a table copy under LOCK=SHARED when it has a FULLTEXT index), with exclusive metadata locks at the start and end, and replicas lagging for its whole duration.',
  safeAlternative: `Rebuild only when the space matters, in a quiet window with replica lag watched, or ${ONLINE_TOOLS.charAt(0).toLowerCase()}${ONLINE_TOOLS.slice(1)}`,
  check(stmt) {
    if (stmt.model.kind !== 'optimize') return [];
    return stmt.model.tables.map((table) => ({
      table,
      why: `OPTIMIZE TABLE rebuilds ${table} entirely; replicas lag for as long as the rebuild runs.`,
    }));
  },
};
