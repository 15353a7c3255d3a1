import type { Rule } from '../../types';
import type { MyStatement } from '../statement';

export const dropTable: Rule<MyStatement> = {
  id: 'mysql-drop-table',
  engine: 'mysql',
  title: 'DROP TABLE / VIEW / DATABASE',
  lock: 'EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'Dropping removes data and breaks every running query that still uses the object; on a large table the drop itself can stall the server while InnoDB frees the file.',
  safeAlternative:
    'Make sure nothing uses it, rename it aside first and drop it in a later deploy, and keep a backup or an archive copy.',
  check(stmt) {
    if (stmt.model.kind !== 'drop-tables') return [];
    return stmt.model.tables.map((name) => ({
      table: name.includes(' ') ? undefined : name,
      why: `dropping ${name} deletes it for good and breaks every running query that still uses it.`,
    }));
  },
};
