import type { Rule } from '../../types';
import { nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const truncate: Rule<PgStatement> = {
  id: 'pg-truncate',
  engine: 'postgres',
  title: 'TRUNCATE',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'TRUNCATE removes every row at once under ACCESS EXCLUSIVE; the data is gone unless it was copied first.',
  safeAlternative:
    'A lowtide purge (delete) or archive job removes rows in bounded batches, with before-images kept for rollback.',
  check(stmt) {
    const node = nodeAs(stmt.node, 'TruncateStmt');
    if (!node) return [];
    return (node.relations ?? []).map((r) => {
      const table = relationName(nodeAs(r, 'RangeVar'));
      return { table, why: `TRUNCATE ${table} deletes every row under ACCESS EXCLUSIVE.` };
    });
  },
};
