import type { Rule } from '../../types';
import { nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const unbatchedDml: Rule<PgStatement> = {
  id: 'pg-unbatched-dml',
  engine: 'postgres',
  title: 'UPDATE or DELETE as one statement (no WHERE: block; with WHERE: warn)',
  lock: 'ROW EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'One statement changes every matching row in one transaction: it holds row locks on all of them until it commits, bloats the table and lags replicas.',
  safeAlternative:
    'Run it as a lowtide update (backfill) or delete (purge) job: keyset batches, one short transaction each, paced by replica lag.',
  check(stmt) {
    const update = nodeAs(stmt.node, 'UpdateStmt');
    const del = nodeAs(stmt.node, 'DeleteStmt');
    const node = update ?? del;
    if (!node) return [];
    const verb = update ? 'UPDATE' : 'DELETE';
    const table = relationName(node.relation);
    if (!node.whereClause) {
      return [
        {
          table,
          why: `${verb} without WHERE changes every row of ${table} in one transaction, holding all their row locks until it commits.`,
        },
      ];
    }
    return [
      {
        table,
        severity: 'warn',
        why: `${verb} ... WHERE runs as one transaction: if it matches many rows of ${table}, it holds all their row locks until it commits.`,
      },
    ];
  },
};
