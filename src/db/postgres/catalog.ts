import type { TableRef } from '../../sql/identifiers';
import type { ColumnInfo, IndexInfo } from '../types';
import { postgresDialect } from './dialect';
import { type PgQueryable, runQuery } from './run-query';

/**
 * The catalog lookups resolve the table with `to_regclass` on its quoted name, i.e. exactly as the
 * job's own SQL resolves it: the given schema, or else the search_path (current_schema() first).
 * A missing table resolves to NULL, so the lookups find nothing instead of failing.
 */
export function regclassArgument(table: TableRef): string {
  return postgresDialect.quoteTable(table);
}

export async function readColumns(db: PgQueryable, table: TableRef): Promise<ColumnInfo[]> {
  const { rows } = await runQuery<{
    name: string;
    data_type: string;
    nullable: boolean;
    typtype: string;
    collation: string | null;
    deterministic: boolean | null;
  }>(
    db,
    `SELECT a.attname::text AS name,
            lower(format_type(a.atttypid, NULL)) AS data_type,
            NOT a.attnotnull AS nullable,
            t.typtype::text AS typtype,
            co.collname::text AS collation,
            co.collisdeterministic AS deterministic
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE a.attrelid = to_regclass($1)
        AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND a.attnum > 0
        AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [regclassArgument(table)],
  );
  return rows.map((r) => ({
    name: r.name,
    dataType: r.data_type,
    nullable: r.nullable,
    typeKind: TYPE_KINDS[r.typtype] ?? 'other',
    ...(r.collation === null ? {} : { collation: r.collation }),
    ...(r.deterministic === null ? {} : { collationDeterministic: r.deterministic }),
  }));
}

const TYPE_KINDS: Record<string, ColumnInfo['typeKind']> = {
  b: 'base',
  e: 'enum',
  d: 'domain',
  c: 'composite',
  r: 'range',
};

/**
 * Indexes the planner may use for the whole table: valid, ready and live (on a partitioned table,
 * its partitioned indexes, relkind 'I', which are valid once every partition has its index) (a failed CREATE INDEX
 * CONCURRENTLY leaves an invalid one behind), and not partial (a WHERE clause means the index
 * neither covers every row nor proves uniqueness). Key columns only, in index order; an
 * expression column is given as its expression text (e.g. `lower(email)`), which never equals a
 * column name. The primary key comes first.
 */
export async function readIndexes(db: PgQueryable, table: TableRef): Promise<IndexInfo[]> {
  const { rows } = await runQuery<{
    name: string;
    is_unique: boolean;
    is_primary: boolean;
    columns: string[];
  }>(
    db,
    `SELECT i.relname::text AS name,
            (x.indisunique OR x.indisprimary) AS is_unique,
            x.indisprimary AS is_primary,
            ARRAY(
              SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(x.indexrelid, k.ord::int, true)
                          ELSE a.attname::text END
                FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
               WHERE k.ord <= x.indnkeyatts
               ORDER BY k.ord
            ) AS columns
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = to_regclass($1)
        AND x.indisvalid AND x.indisready AND x.indislive
        AND x.indpred IS NULL
      ORDER BY x.indisprimary DESC, i.relname`,
    [regclassArgument(table)],
  );
  return rows.map((r) => ({ name: r.name, unique: r.is_unique, primary: r.is_primary, columns: r.columns }));
}
