import type { ObjectType } from 'libpg-query';
import type { Rule } from '../../types';
import { names, nodeAs } from '../nodes';
import type { PgStatement } from '../statement';

const DROPPED: Partial<Record<ObjectType, string>> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_SCHEMA: 'schema',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TYPE: 'type',
  OBJECT_FUNCTION: 'function',
};

export const dropTable: Rule<PgStatement> = {
  id: 'pg-drop-table',
  engine: 'postgres',
  title: 'DROP TABLE / VIEW / SCHEMA / SEQUENCE / TYPE / FUNCTION / DATABASE',
  lock: 'ACCESS EXCLUSIVE',
  severity: 'block',
  rewritesTable: false,
  scansTable: false,
  breaking: true,
  sizeDependent: false,
  why: 'Dropping removes data and breaks every running query that still uses the object; it cannot be undone without a restore.',
  safeAlternative:
    'Make sure nothing uses it (pg_stat_user_tables, application logs), rename it aside first and drop it in a later deploy, and keep a backup or an archive copy.',
  check(stmt) {
    const dropdb = nodeAs(stmt.node, 'DropdbStmt');
    if (dropdb) {
      return [
        {
          why: `dropping database ${dropdb.dbname} deletes every table in it for good; it waits for (or, WITH (FORCE), ends) every session connected to it.`,
        },
      ];
    }
    const drop = nodeAs(stmt.node, 'DropStmt');
    const kind = drop?.removeType ? DROPPED[drop.removeType] : undefined;
    if (!drop || !kind) return [];
    const objects = (drop.objects ?? []).map(
      (o) => names(nodeAs(o, 'List')?.items).join('.') || nodeAs(o, 'String')?.sval || '?',
    );
    return objects.map((name) => ({
      table: kind === 'table' ? name : undefined,
      why: `dropping ${kind} ${name} deletes it for good and breaks every running query that still uses it.`,
    }));
  },
};
