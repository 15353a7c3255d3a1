import type { Database } from '../db/types';
import { parseTableRef } from '../sql/identifiers';

/**
 * The size of a table's data as the catalog records it, without a scan: PostgreSQL's
 * pg_relation_size of the table (of every partition, for a partitioned one; TOAST and indexes
 * aside), MySQL's information_schema DATA_LENGTH (InnoDB: the clustered index, i.e. the rows, from
 * the persistent statistics). Undefined for a name that is not a plain table reference, or a table
 * that does not exist: unknown, never zero.
 */
export async function tableBytes(db: Database, table: string): Promise<number | undefined> {
  const ref = parseTableRef(table);
  if (!ref || (await db.columns(ref)).length === 0) return undefined;
  if (db.engine === 'postgres') {
    const { rows } = await db.query<{ bytes: string | number | null }>(
      `SELECT CASE WHEN c.relkind = 'p'
                   THEN (SELECT sum(pg_relation_size(t.relid)) FROM pg_partition_tree(c.oid) t)
                   ELSE pg_relation_size(c.oid) END::int8 AS bytes
         FROM pg_class c WHERE c.oid = to_regclass($1)`,
      [db.dialect.quoteTable(ref)],
    );
    return rows[0]?.bytes == null ? undefined : Number(rows[0].bytes);
  }
  const { rows } = await db.query<{ bytes: unknown }>(
    `SELECT DATA_LENGTH AS bytes FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`,
    [ref.schema ?? null, ref.name],
  );
  return rows[0]?.bytes == null ? undefined : Number(rows[0].bytes);
}
