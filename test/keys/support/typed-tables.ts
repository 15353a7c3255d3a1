import type { TestEngine } from '../../support/databases';
import type { RawConnection } from '../../support/raw-sql';
import { countTupleWrites, numberInKeyOrder, type TupleWrites } from '../../support/tuple-writes';

/** A table keyed by columns of given types, filled with given key values. */
export interface TypedKeyCase {
  readonly name: string;
  readonly table: string;
  /** Key column -> SQL type, in key order. */
  readonly columns: Readonly<Record<string, string>>;
  /** Rows as SQL literal tuples of the key columns, e.g. `(1, 'a')`. */
  readonly rows: readonly string[];
  /** SQL run before the table is created (a type or collation it uses). */
  readonly before?: readonly string[];
  /** The counter's text for a key column's value in the trigger (default: cast to text). */
  readonly asText?: (column: string) => string;
  /** Table options after the column list (MariaDB charset, partitioning). */
  readonly tableOptions?: string;
}

/**
 * Creates `c.table` with its key as the primary key, a `touched` column a job bumps and `ord`
 * numbering the rows in the server's key order; returns its write counter.
 */
export async function createTypedKeyTable(
  raw: RawConnection,
  engine: TestEngine,
  c: TypedKeyCase,
): Promise<TupleWrites> {
  for (const statement of c.before ?? []) await raw.query(statement);
  const keyColumns = Object.keys(c.columns);
  const defs = Object.entries(c.columns).map(([name, type]) => `${name} ${type} NOT NULL`);
  await raw.query(
    `CREATE TABLE ${c.table} (${defs.join(', ')}, touched int NOT NULL DEFAULT 0, ord bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (${keyColumns.join(', ')})) ${c.tableOptions ?? ''}`,
  );
  await raw.query(`INSERT INTO ${c.table} (${keyColumns.join(', ')}) VALUES ${c.rows.join(', ')}`);
  await numberInKeyOrder(raw, engine, c.table, keyColumns);
  const text =
    c.asText ??
    ((column: string) => (engine === 'postgres' ? `OLD.${column}::text` : `CAST(OLD.${column} AS CHAR)`));
  const keySql =
    keyColumns.length === 1 ? text(keyColumns[0]!) : `concat_ws('|', ${keyColumns.map(text).join(', ')})`;
  return countTupleWrites(raw, engine, c.table, keySql);
}
