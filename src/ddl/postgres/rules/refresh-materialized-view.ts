import type { Rule } from '../../types';
import { nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const refreshMaterializedView: Rule<PgStatement> = {
  id: 'pg-refresh-matview-without-concurrently',
  engine: 'postgres',
  title: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'warn',
  rewritesTable: true,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'The view is rebuilt while holding ACCESS EXCLUSIVE on it: every read of the view waits until the refresh ends.',
  safeAlternative:
    'REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view): readers keep the old contents meanwhile.',
  check(stmt) {
    const node = nodeAs(stmt.node, 'RefreshMatViewStmt');
    if (!node || node.concurrent) return [];
    return [{ table: relationName(node.relation) }];
  },
};
