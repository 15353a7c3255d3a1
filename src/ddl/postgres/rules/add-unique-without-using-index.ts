import type { Rule, RuleHit } from '../../types';
import {
  addedColumns,
  addedConstraints,
  alterCommands,
  columnConstraints,
  type PgStatement,
} from '../statement';

const KIND: Record<string, string> = {
  CONSTR_PRIMARY: 'PRIMARY KEY',
  CONSTR_UNIQUE: 'UNIQUE',
  CONSTR_EXCLUSION: 'EXCLUDE',
};

export const addUniqueWithoutUsingIndex: Rule<PgStatement> = {
  id: 'pg-add-unique-without-using-index',
  engine: 'postgres',
  title: 'ADD PRIMARY KEY / UNIQUE / EXCLUDE without USING INDEX',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: true,
  breaking: false,
  sizeDependent: true,
  why: 'PostgreSQL builds the index for the constraint while holding ACCESS EXCLUSIVE: no reads or writes until the whole index is built.',
  safeAlternative:
    'CREATE UNIQUE INDEX CONCURRENTLY first (outside a transaction), then ALTER TABLE ... ADD CONSTRAINT name PRIMARY KEY USING INDEX idx (or UNIQUE USING INDEX idx): a brief lock. For a primary key, make the columns NOT NULL first (validated CHECK, then SET NOT NULL).',
  check(stmt) {
    const alter = alterCommands(stmt);
    if (!alter) return [];
    const hits: RuleHit[] = [];
    for (const c of addedConstraints(stmt)) {
      const kind = KIND[c.contype ?? ''];
      if (kind && !c.indexname) {
        hits.push({
          table: alter.table,
          why: `${kind}${c.conname ? ` ${c.conname}` : ''} builds its index on ${alter.table} while holding ACCESS EXCLUSIVE: no reads or writes until the index is built.`,
          ...(kind === 'EXCLUDE'
            ? {
                safeAlternative:
                  'An EXCLUDE constraint cannot reuse an index: add it while the table is small, or in a maintenance window.',
              }
            : {}),
        });
      }
    }
    for (const column of addedColumns(stmt)) {
      for (const c of columnConstraints(column)) {
        const kind = KIND[c.contype ?? ''];
        if (kind) {
          hits.push({
            table: alter.table,
            why: `new column ${column.colname} is ${kind}: PostgreSQL builds its index on ${alter.table} while holding ACCESS EXCLUSIVE.`,
          });
        }
      }
    }
    return hits;
  },
};
