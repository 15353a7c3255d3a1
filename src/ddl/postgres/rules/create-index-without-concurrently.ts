import type { Rule } from '../../types';
import { nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';

export const createIndexWithoutConcurrently: Rule<PgStatement> = {
  id: 'pg-create-index-without-concurrently',
  engine: 'postgres',
  title: 'CREATE INDEX without CONCURRENTLY',
  lock: 'SHARE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'A plain CREATE INDEX holds SHARE on the table for the whole build: reads go on, but every INSERT, UPDATE and DELETE waits until the index is built.',
  safeAlternative:
    "CREATE INDEX CONCURRENTLY, outside any transaction, then check pg_index.indisvalid: a failed attempt leaves an INVALID index to DROP INDEX CONCURRENTLY before retrying (lowtide's create-index recipe does both).",
  check(stmt) {
    const index = nodeAs(stmt.node, 'IndexStmt');
    if (!index || index.concurrent) return [];
    const table = relationName(index.relation);
    return [
      {
        table,
        why: `CREATE INDEX${index.idxname ? ` ${index.idxname}` : ''} holds SHARE on ${table} for the whole build: reads go on, but every write to ${table} waits until the index is built.`,
      },
    ];
  },
};
