import type { TableRef } from '../../sql/identifiers';
import type { ColumnInfo, IndexInfo } from '../types';
import { type MysqlRunner, runQuery } from './run-query';

// Table and schema names are bound as values, never quoted into the text; a missing schema means
// the database the connection URL names.
const SAME_TABLE = 'TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?';

function tableValues(table: TableRef): unknown[] {
  return [table.schema ?? null, table.name];
}

export async function mysqlColumns(runner: MysqlRunner, table: TableRef): Promise<ColumnInfo[]> {
  const { rows } = await runQuery<{
    name: string;
    dataType: string;
    nullable: string;
    columnType: string;
    collation: string | null;
    charset: string | null;
  }>(
    runner,
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, IS_NULLABLE AS nullable, COLUMN_TYPE AS columnType,
            COLLATION_NAME AS collation, CHARACTER_SET_NAME AS charset
       FROM information_schema.COLUMNS WHERE ${SAME_TABLE} ORDER BY ORDINAL_POSITION`,
    tableValues(table),
  );
  return rows.map((r) => ({
    name: r.name,
    dataType: String(r.dataType).toLowerCase(),
    nullable: r.nullable === 'YES',
    columnType: String(r.columnType),
    ...(r.collation === null ? {} : { collation: r.collation }),
    ...(r.charset === null ? {} : { charset: r.charset }),
  }));
}

interface IndexPart {
  indexName: string;
  nonUnique: unknown;
  columnName: string | null;
  subPart: unknown;
}

/**
 * Indexes with their columns in index order. An index with a prefix part (`c(10)`) or a
 * functional part (MySQL 8) is left out: it cannot seek or order by the column's full value, so
 * listing it would let a preflight believe the key is indexed when keyset pagination cannot use it.
 */
export async function mysqlIndexes(runner: MysqlRunner, table: TableRef): Promise<IndexInfo[]> {
  const { rows } = await runQuery<IndexPart>(
    runner,
    `SELECT INDEX_NAME AS indexName, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName, SUB_PART AS subPart
       FROM information_schema.STATISTICS WHERE ${SAME_TABLE}
      ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
    tableValues(table),
  );
  const byName = new Map<string, { unique: boolean; columns: string[]; usable: boolean }>();
  for (const part of rows) {
    let index = byName.get(part.indexName);
    if (!index) {
      index = { unique: Number(part.nonUnique) === 0, columns: [], usable: true };
      byName.set(part.indexName, index);
    }
    if (part.columnName === null || part.subPart !== null) index.usable = false;
    else index.columns.push(part.columnName);
  }
  return [...byName]
    .filter(([, index]) => index.usable)
    .map(([name, index]) => ({
      name,
      unique: index.unique,
      primary: name === 'PRIMARY',
      columns: index.columns,
    }));
}

/**
 * TABLE_ROWS is InnoDB's sampled estimate (often off by tens of percent; close only after
 * ANALYZE TABLE). MySQL 8 also caches it for information_schema_stats_expiry (a day by default),
 * so on MySQL the caller runs this on a session with that cache turned off; MariaDB has no cache.
 */
export async function mysqlEstimateTableRows(runner: MysqlRunner, table: TableRef): Promise<number> {
  const { rows } = await runQuery<{ estimate: unknown }>(
    runner,
    `SELECT TABLE_ROWS AS estimate FROM information_schema.TABLES WHERE ${SAME_TABLE}`,
    tableValues(table),
  );
  const estimate = Number(rows[0]?.estimate ?? 0);
  return Number.isFinite(estimate) ? estimate : 0;
}
