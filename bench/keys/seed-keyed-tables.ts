import type { BenchEngine } from '../settings';
import type { SqlClient } from '../sql-client';

/** One way of keying the bench's rows: a table holding them all, walked by its primary key. */
export interface KeyVariant {
  readonly name: string;
  readonly table: string;
  readonly key: string | readonly string[];
}

/** The baseline: a one-column bigint key. */
export const SINGLE: KeyVariant = { name: 'single', table: 'bench_keys_single', key: 'id' };
/** Three integer columns: the tuple's own cost, the column types unchanged. */
export const COMPOSITE_INTEGERS: KeyVariant = {
  name: 'composite-integers',
  table: 'bench_keys_integers',
  key: ['tenant_id', 'order_no', 'line'],
};
/** Integer, uuid (char(36) on MySQL), smallint: a multi-tenant order-lines table as it is usually keyed. */
export const COMPOSITE_MIXED: KeyVariant = {
  name: 'composite-mixed',
  table: 'bench_keys_mixed',
  key: ['tenant_id', 'order_id', 'line'],
};
export const VARIANTS: readonly KeyVariant[] = [SINGLE, COMPOSITE_INTEGERS, COMPOSITE_MIXED];

const LINES_PER_ORDER = 10;
const ORDERS_PER_TENANT = 100;

/**
 * One table per variant, all holding the same `rows` rows (same columns, same values), each keyed
 * by its variant's primary key (InnoDB's clustered index): the walks differ only in the key.
 */
export async function seedKeyedTables(client: SqlClient, engine: BenchEngine, rows: number): Promise<void> {
  const pg = engine === 'postgres';
  const columns = pg
    ? 'id bigint NOT NULL, tenant_id integer NOT NULL, order_no bigint NOT NULL, order_id uuid NOT NULL, line smallint NOT NULL, amount numeric(12,2) NOT NULL, touched integer NOT NULL DEFAULT 0'
    : 'id bigint NOT NULL, tenant_id int NOT NULL, order_no bigint NOT NULL, order_id char(36) NOT NULL, line smallint NOT NULL, amount decimal(12,2) NOT NULL, touched int NOT NULL DEFAULT 0';
  const engineClause = pg ? '' : ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4';
  // Row n: tenant n / 1000, order (n / 10) % 100 (as a number and as a uuid), line n % 10.
  const perTenant = LINES_PER_ORDER * ORDERS_PER_TENANT;
  const select = pg
    ? `SELECT n, 1 + n / ${perTenant}, (n / ${LINES_PER_ORDER}) % ${ORDERS_PER_TENANT}, md5(((n / ${LINES_PER_ORDER}) % ${ORDERS_PER_TENANT})::text)::uuid, 1 + n % ${LINES_PER_ORDER}, (n % 5000) / 100.0
       FROM generate_series(0, ${rows - 1}) n`
    : `SELECT seq, 1 + seq DIV ${perTenant}, (seq DIV ${LINES_PER_ORDER}) % ${ORDERS_PER_TENANT},
         INSERT(INSERT(INSERT(INSERT(MD5((seq DIV ${LINES_PER_ORDER}) % ${ORDERS_PER_TENANT}), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'),
         1 + seq % ${LINES_PER_ORDER}, (seq % 5000) / 100.0
       FROM seq_0_to_${rows - 1}`;
  for (const v of VARIANTS) {
    const key = typeof v.key === 'string' ? v.key : v.key.join(', ');
    await client.query(`CREATE TABLE ${v.table} (${columns}, PRIMARY KEY (${key}))${engineClause}`);
    await client.query(`INSERT INTO ${v.table} (id, tenant_id, order_no, order_id, line, amount) ${select}`);
    await client.query(pg ? `VACUUM ANALYZE ${v.table}` : `ANALYZE TABLE ${v.table}`);
  }
}
