import type { TestEngine } from '../../support/databases';
import type { RawConnection } from '../../support/raw-sql';
import { countTupleWrites, numberInKeyOrder, type TupleWrites } from '../../support/tuple-writes';

/** The composite key of the order lines fixture, in its primary key's order. */
export const LINE_KEY = ['tenant_id', 'order_id', 'line'] as const;
/** The counted key of a written row, as the write counter's trigger forms it. */
export const LINE_KEY_SQL = "concat_ws('|', OLD.tenant_id, OLD.order_id, OLD.line)";

export const TENANTS = 4;
export const ORDERS_PER_TENANT = 25;
export const LINES_PER_ORDER = 6;
export const LINE_ROWS = TENANTS * ORDERS_PER_TENANT * LINES_PER_ORDER;
/** Lines whose number is a multiple of 3 are closed; the others open. */
export const OPEN_LINES = LINE_ROWS - TENANTS * ORDERS_PER_TENANT * Math.floor(LINES_PER_ORDER / 3);

export interface OrderLinesOptions {
  /** Index layout: the primary key (default), or a unique index over NOT NULL columns and a surrogate id. */
  readonly keyedBy?: 'primary-key' | 'unique-index';
  /**
   * Range-partition the table by tenant (tenants 1-2 and 3-4): PostgreSQL declarative
   * partitioning or MariaDB PARTITION BY RANGE. Default false.
   */
  readonly partitioned?: boolean;
  /** Install the write counter (default true). */
  readonly counted?: boolean;
}

/**
 * `<table>`: order lines keyed by (tenant_id integer, order_id uuid on PostgreSQL / char(36) on
 * MariaDB, line smallint): a key of mixed types whose leading column repeats, so a walk that
 * compared only one column would skip or repeat rows. `applied_count` is bumped by every update a
 * job makes; `ord` numbers the rows in key order.
 */
export async function createOrderLines(
  raw: RawConnection,
  engine: TestEngine,
  table: string,
  options: OrderLinesOptions = {},
): Promise<TupleWrites | undefined> {
  const keyedBy = options.keyedBy ?? 'primary-key';
  const keyDdl =
    keyedBy === 'primary-key'
      ? 'PRIMARY KEY (tenant_id, order_id, line)'
      : `surrogate_id ${engine === 'postgres' ? 'bigint GENERATED ALWAYS AS IDENTITY' : 'bigint AUTO_INCREMENT'} PRIMARY KEY,
         UNIQUE (tenant_id, order_id, line)`;
  if (engine === 'postgres') {
    await raw.query(`CREATE TABLE ${table} (tenant_id integer NOT NULL, order_id uuid NOT NULL, line smallint NOT NULL,
      status text NOT NULL, applied_count integer NOT NULL DEFAULT 0, ord bigint NOT NULL DEFAULT 0, ${keyDdl})
      ${options.partitioned ? 'PARTITION BY RANGE (tenant_id)' : ''}`);
    if (options.partitioned) {
      await raw.query(`CREATE TABLE ${table}_low PARTITION OF ${table} FOR VALUES FROM (1) TO (3)`);
      await raw.query(
        `CREATE TABLE ${table}_high PARTITION OF ${table} FOR VALUES FROM (3) TO (${TENANTS + 1})`,
      );
    }
    await raw.query(
      `INSERT INTO ${table} (tenant_id, order_id, line, status)
       SELECT t, md5(t || '-' || o)::uuid, l, CASE WHEN l % 3 = 0 THEN 'closed' ELSE 'open' END
       FROM generate_series(1, $1::int) t, generate_series(1, $2::int) o, generate_series(1, $3::int) l`,
      [TENANTS, ORDERS_PER_TENANT, LINES_PER_ORDER],
    );
  } else {
    await raw.query(`CREATE TABLE ${table} (tenant_id int NOT NULL, order_id char(36) NOT NULL, line smallint NOT NULL,
      status varchar(20) NOT NULL, applied_count int NOT NULL DEFAULT 0, ord bigint NOT NULL DEFAULT 0, ${keyDdl})
      ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
      ${options.partitioned ? `PARTITION BY RANGE (tenant_id) (PARTITION p_low VALUES LESS THAN (3), PARTITION p_high VALUES LESS THAN (${TENANTS + 1}))` : ''}`);
    await raw.query(
      `INSERT INTO ${table} (tenant_id, order_id, line, status)
       SELECT t.seq, MD5(CONCAT(t.seq, '-', o.seq)), l.seq, IF(l.seq % 3 = 0, 'closed', 'open')
       FROM seq_1_to_${TENANTS} t, seq_1_to_${ORDERS_PER_TENANT} o, seq_1_to_${LINES_PER_ORDER} l`,
    );
  }
  await numberInKeyOrder(raw, engine, table, LINE_KEY);
  await raw.query(engine === 'postgres' ? `ANALYZE ${table}` : `ANALYZE TABLE ${table}`);
  if (options.counted === false) return undefined;
  return countTupleWrites(raw, engine, table, LINE_KEY_SQL);
}

/** An empty table with the order lines' columns and key, for an archive job to move rows to. */
export async function createLinesArchive(
  raw: RawConnection,
  engine: TestEngine,
  table: string,
  like: string,
) {
  await raw.query(
    engine === 'postgres'
      ? `CREATE TABLE ${table} (LIKE ${like} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`
      : `CREATE TABLE ${table} LIKE ${like}`,
  );
}
