import type { BenchEngine } from '../settings';
import type { SqlClient } from '../sql-client';

/** The table walked by its one-column primary key. */
export const SINGLE_TABLE = 'bench_keys_single';
/** The same rows, walked by a primary key of three columns of mixed types. */
export const COMPOSITE_TABLE = 'bench_keys_composite';
export const COMPOSITE_KEY = ['tenant_id', 'order_id', 'line'] as const;

const LINES_PER_ORDER = 10;
const ORDERS_PER_TENANT = 100;

/**
 * Two tables holding the same `rows` rows: one keyed by `id bigint`, the other by
 * (tenant_id integer, order_id uuid / char(36), line smallint), the layout of a multi-tenant
 * order-lines table. Each is walked by its own primary key (InnoDB's clustered index), so the two
 * walks differ only in the key.
 */
export async function seedKeyedTables(client: SqlClient, engine: BenchEngine, rows: number): Promise<void> {
  const pg = engine === 'postgres';
  const columns = pg
    ? 'id bigint NOT NULL, tenant_id integer NOT NULL, order_id uuid NOT NULL, line smallint NOT NULL, amount numeric(12,2) NOT NULL, touched integer NOT NULL DEFAULT 0'
    : 'id bigint NOT NULL, tenant_id int NOT NULL, order_id char(36) NOT NULL, line smallint NOT NULL, amount decimal(12,2) NOT NULL, touched int NOT NULL DEFAULT 0';
  const engineClause = pg ? '' : ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4';
  await client.query(`CREATE TABLE ${SINGLE_TABLE} (${columns}, PRIMARY KEY (id))${engineClause}`);
  await client.query(
    `CREATE TABLE ${COMPOSITE_TABLE} (${columns}, PRIMARY KEY (tenant_id, order_id, line))${engineClause}`,
  );
  // Row n: tenant n / 1000, order (n / 10) % 100 as a uuid, line n % 10.
  const perTenant = LINES_PER_ORDER * ORDERS_PER_TENANT;
  const select = pg
    ? `SELECT n, 1 + n / ${perTenant}, md5(((n / ${LINES_PER_ORDER}) % ${ORDERS_PER_TENANT})::text)::uuid, 1 + n % ${LINES_PER_ORDER}, (n % 5000) / 100.0
       FROM generate_series(0, ${rows - 1}) n`
    : `SELECT seq, 1 + seq DIV ${perTenant},
         INSERT(INSERT(INSERT(INSERT(MD5((seq DIV ${LINES_PER_ORDER}) % ${ORDERS_PER_TENANT}), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'),
         1 + seq % ${LINES_PER_ORDER}, (seq % 5000) / 100.0
       FROM seq_0_to_${rows - 1}`;
  for (const table of [SINGLE_TABLE, COMPOSITE_TABLE])
    await client.query(`INSERT INTO ${table} (id, tenant_id, order_id, line, amount) ${select}`);
  for (const table of [SINGLE_TABLE, COMPOSITE_TABLE])
    await client.query(pg ? `VACUUM ANALYZE ${table}` : `ANALYZE TABLE ${table}`);
}
