import type { Rule } from '../../types';
import { atLeast } from '../../versions';
import { nodeAs, optionOn, relationName } from '../nodes';
import type { PgStatement } from '../statement';

const NO_CONCURRENT_FORM =
  'Rebuild only the indexes that need it, one by one with REINDEX INDEX CONCURRENTLY; system catalogs cannot be reindexed concurrently, so REINDEX SYSTEM belongs in a maintenance window.';

export const reindexWithoutConcurrently: Rule<PgStatement> = {
  id: 'pg-reindex-without-concurrently',
  engine: 'postgres',
  title: 'REINDEX without CONCURRENTLY (or with CONCURRENTLY false); REINDEX SYSTEM',
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
    if (!node) return [];
    const target = relationName(node.relation) ?? node.name ?? '';
    // The server refuses CONCURRENTLY on system catalogs, so REINDEX SYSTEM has no online form.
    if (node.kind === 'REINDEX_OBJECT_SYSTEM') {
      return [
        {
          why: `REINDEX SYSTEM ${target} rebuilds every system catalog index under locks that stall every session of the database (PostgreSQL refuses CONCURRENTLY there).`,
          safeAlternative: NO_CONCURRENT_FORM,
        },
      ];
    }
    if (optionOn(node.params, 'concurrently')) return [];
    const onTable = node.kind === 'REINDEX_OBJECT_TABLE';
    return [
      {
        table: onTable ? target : undefined,
        why: `REINDEX ${target} blocks writes for the whole rebuild and takes ACCESS EXCLUSIVE on each index it rebuilds.`,
        ...(atLeast(stmt.version, 12)
          ? {}
          : {
              safeAlternative:
                'PostgreSQL before 12 has no REINDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY a copy of the index, DROP INDEX CONCURRENTLY the old one and rename the copy.',
            }),
      },
    ];
  },
};
