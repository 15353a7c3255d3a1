import type { ObjectType } from 'libpg-query';
import type { Rule } from '../../types';
import { names, nodeAs, relationName } from '../nodes';
import type { PgStatement } from '../statement';
import { EXPAND_CONTRACT } from './texts';

/** Names application code refers to; renaming indexes or constraints breaks nobody's queries. */
const BREAKING: Partial<Record<ObjectType, string>> = {
  OBJECT_TABLE: 'table',
  OBJECT_COLUMN: 'column',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_SCHEMA: 'schema',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TYPE: 'type',
  OBJECT_ATTRIBUTE: 'type attribute',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
};

export const rename: Rule<PgStatement> = {
  id: 'pg-rename',
  engine: 'postgres',
  title: 'RENAME of a table, column, view, schema, sequence, type, enum value or function',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'The rename is instant, but every running application instance that still uses the old name fails from that moment until it is redeployed.',
  safeAlternative: EXPAND_CONTRACT,
  check(stmt) {
    const renamedValue = nodeAs(stmt.node, 'AlterEnumStmt');
    if (renamedValue?.oldVal !== undefined) {
      const type = names(renamedValue.typeName).join('.');
      return [
        {
          why: `renaming value '${renamedValue.oldVal}' of enum ${type} to '${renamedValue.newVal}' makes every running query and insert that still says '${renamedValue.oldVal}' fail, until it is redeployed.`,
          safeAlternative:
            'ALTER TYPE ... ADD VALUE the new label, move the rows and the application to it (a lowtide backfill job), and stop using the old label; an enum value cannot be dropped, so leave it unused.',
        },
      ];
    }
    const node = nodeAs(stmt.node, 'RenameStmt');
    const kind = node?.renameType ? BREAKING[node.renameType] : undefined;
    if (!node || !kind) return [];
    const table = relationName(node.relation);
    const old = node.subname ?? table ?? 'the object';
    return [
      {
        table,
        why: `renaming ${kind} ${old} to ${node.newname} breaks every running query and application instance that still says ${old}, until it is redeployed.`,
      },
    ];
  },
};
