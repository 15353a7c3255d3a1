import type { Rule, RuleHit } from '../../types';
import { alterOps, type MyStatement } from '../statement';

export const rename: Rule<MyStatement> = {
  id: 'mysql-rename',
  engine: 'mysql',
  title: 'RENAME TABLE, ALTER TABLE ... RENAME [TO], RENAME COLUMN, CHANGE old new',
  lock: 'EXCLUSIVE',
  algorithm: 'INSTANT',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'The rename itself is instant (a brief exclusive metadata lock), but every running application instance that still uses the old name fails from that moment until it is redeployed.',
  safeAlternative:
    'Expand and contract: add the new column or table alongside the old one, keep both in sync, move the application over, and drop the old name in a later deploy once nothing uses it.',
  check(stmt) {
    const hits: RuleHit[] = [];
    if (stmt.model.kind === 'rename-tables') {
      for (const [from, to] of stmt.model.pairs) {
        hits.push({
          table: from,
          why: `renaming table ${from} to ${to} breaks every running query and application instance that still says ${from}.`,
        });
      }
    }
    for (const op of alterOps(stmt)) {
      const renamed =
        op.kind === 'rename-column'
          ? `column ${op.from} to ${op.to}`
          : op.kind === 'modify-column' && op.newName
            ? `column ${op.column} to ${op.newName}`
            : op.kind === 'rename-table'
              ? `table ${stmt.table} to ${op.to}`
              : undefined;
      if (renamed) {
        hits.push({
          table: stmt.table,
          why: `renaming ${renamed} breaks every running query and application instance that still uses the old name.`,
        });
      }
    }
    return hits;
  },
};
