import type { Rule } from '../../types';
import type { MyStatement } from '../statement';

export const truncate: Rule<MyStatement> = {
  id: 'mysql-truncate',
  engine: 'mysql',
  title: 'TRUNCATE TABLE',
  lock: 'EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'TRUNCATE drops and recreates the table under an exclusive metadata lock; every row is gone unless it was copied first.',
  safeAlternative:
    'A lowtide purge (delete) or archive job removes rows in bounded batches, with before-images kept for rollback.',
  check(stmt) {
    if (stmt.model.kind !== 'truncate') return [];
    return stmt.model.tables.map((table) => ({
      table,
      why: `TRUNCATE ${table} deletes every row under an exclusive metadata lock.`,
    }));
  },
};
