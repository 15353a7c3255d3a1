import type { Rule } from '../../types';
import type { MyStatement } from '../statement';

export const unbatchedDml: Rule<MyStatement> = {
  id: 'mysql-unbatched-dml',
  engine: 'mysql',
  title: 'UPDATE or DELETE as one statement (no WHERE: block; with WHERE: warn)',
  lock: 'ROW EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'One statement changes every matching row in one transaction: InnoDB locks every row (and gap) it scans until commit, and replicas apply it as one long event.',
  safeAlternative:
    'Run it as a lowtide update (backfill) or delete (purge) job: keyset batches, one short transaction each, paced by replica lag.',
  check(stmt) {
    if (stmt.model.kind !== 'dml') return [];
    const { verb, table, hasWhere } = stmt.model;
    if (!hasWhere) {
      return [
        {
          table,
          why: `${verb} without WHERE changes every row of ${table} in one transaction, locking each row until it commits.`,
        },
      ];
    }
    return [
      {
        table,
        severity: 'warn',
        why: `${verb} ... WHERE runs as one transaction: if it matches many rows of ${table}, it locks them all until it commits.`,
      },
    ];
  },
};
