import type { Rule } from '../../types';
import { nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const reindexWithoutConcurrently: Rule<PgStatement> = {
  id: 'pg-reindex-without-concurrently',
  engine: 'postgres',
  title: 'REINDEX without CONCURRENTLY',
  lock: 'SHARE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'REINDEX blocks writes to the table for the whole rebuild, and takes ACCESS EXCLUSIVE on each index, so queries that would use it wait too.',
  safeAlternative: 'REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside any transaction.',
  check(stmt) {
    const node = nodeAs(stmt.node, 'ReindexStmt');
    if (!node || (node.params ?? []).some((p) => nodeAs(p, 'DefElem')?.defname === 'concurrently')) return [];
    const onTable = node.kind === 'REINDEX_OBJECT_TABLE';
    const target = relationName(node.relation) ?? node.name ?? '';
    return [
      {
        table: onTable ? target : undefined,
        why: `REINDEX ${target} blocks writes for the whole rebuild and takes ACCESS EXCLUSIVE on each index it rebuilds.`,
      },
    ];
  },
};
