import type { Rule } from '../../types';
import { alterOps, type MyStatement } from '../statement';

export const dropColumn: Rule<MyStatement> = {
  id: 'mysql-drop-column',
  engine: 'mysql',
  title: 'ALTER TABLE ... DROP COLUMN',
  lock: 'EXCLUSIVE',
  algorithm: 'INSTANT',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'Running code that still reads or writes the column fails, and INSERTs that list every column break; the data in the column is gone.',
  safeAlternative:
    'Stop using the column in every deployed version first (ignore it in the ORM), then drop it in a later deploy.',
  check(stmt) {
    return alterOps(stmt)
      .filter((op) => op.kind === 'drop-column')
      .map((op) => ({
        table: stmt.table,
        why: `dropping ${stmt.table}.${op.kind === 'drop-column' ? op.column : ''} breaks every running query and application instance that still uses it.`,
      }));
  },
};
