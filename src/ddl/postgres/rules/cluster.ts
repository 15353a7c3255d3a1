import type { Rule } from '../../types';
import { nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const cluster: Rule<PgStatement> = {
  id: 'pg-cluster',
  engine: 'postgres',
  title: 'CLUSTER',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'CLUSTER rewrites the table in index order while holding ACCESS EXCLUSIVE: no reads or writes until it finishes.',
  safeAlternative:
    'pg_repack --order-by reorders a table online; otherwise run CLUSTER in a maintenance window.',
  check(stmt) {
    const node = nodeAs(stmt.node, 'ClusterStmt');
    if (!node) return [];
    const table = relationName(node.relation);
    return [
      {
        table,
        why: `CLUSTER rewrites ${table ?? 'every clustered table'} while holding ACCESS EXCLUSIVE: no reads or writes until it finishes.`,
      },
    ];
  },
};
