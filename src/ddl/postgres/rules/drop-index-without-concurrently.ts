import type { Rule } from '../../types';
import { names, nodeAs } from '../nodes';
import type { PgStatement } from '../statement';

export const dropIndexWithoutConcurrently: Rule<PgStatement> = {
  id: 'pg-drop-index-without-concurrently',
  engine: 'postgres',
  title: 'DROP INDEX without CONCURRENTLY',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: false,
  sizeDependent: false,
  why: "DROP INDEX takes ACCESS EXCLUSIVE on the index's table. The drop itself is quick, but it waits behind every running query on the table, and every query that arrives meanwhile waits behind it.",
  safeAlternative:
    'DROP INDEX CONCURRENTLY, outside any transaction: it waits for running queries without blocking new ones.',
  check(stmt) {
    const drop = nodeAs(stmt.node, 'DropStmt');
    if (drop?.removeType !== 'OBJECT_INDEX' || drop.concurrent) return [];
    const indexes = (drop.objects ?? []).map((o) => names(nodeAs(o, 'List')?.items).join('.'));
    return [
      {
        why: `DROP INDEX ${indexes.join(', ')} takes ACCESS EXCLUSIVE on its table: quick once granted, but it queues behind every running query on the table, and every new query queues behind it.`,
      },
    ];
  },
};
