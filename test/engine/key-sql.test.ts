import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql';
import type { Database, QueryResult, Tx } from '../../src/db/types';
import type { KeyCodec } from '../../src/engine/key-codec';
import { keyCodecOf } from '../../src/engine/keys';
import { DeclarativeSql } from '../../src/engine/kinds/declarative';
import { changeByRange } from '../../src/engine/kinds/range-batch';
import { defineJob } from '../../src/job/define-job';
import type { UpdateJobSpec } from '../../src/job/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';

const ROWS = 200_000;
const TABLE = 'keys_sql_orders';

/** EXPLAIN of a statement as text lines (PostgreSQL) or rows (MySQL), never executed. */
async function explain(db: Database, engine: TestEngine, text: string, values: unknown[]): Promise<string> {
  if (engine === 'postgres') {
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const { rows } = await db.query<{ table: string; type: string; key: string | null }>(
    `EXPLAIN ${text}`,
    values,
  );
  return rows.map((r) => `${r.table}: ${r.type} ${r.key ?? 'none'}`).join('\n');
}

/** A Tx that EXPLAINs each statement instead of running it, and answers with no rows. */
function explainingTx(db: Database, engine: TestEngine, plans: string[]): Tx {
  return {
    dialect: db.dialect,
    connectionId: 0,
    async query<R>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
      plans.push(await explain(db, engine, text, [...(values ?? [])]));
      return { rows: [], rowCount: 0 };
    },
  };
}

/**
 * The keyset SQL of a composite key, as the planner takes it: every selection, range and key list
 * must be an index range scan over the key, never a full scan (prove it, the issue says, with EXPLAIN).
 */
describe.each(ENGINES)('keyset SQL of a composite key on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let codec: KeyCodec;
  let s: DeclarativeSql;
  const k = (tenant: number, order: number, line: number) =>
    codec.encode([`${tenant}`, `${order}`, `${line}`]);

  beforeAll(async () => {
    await t.raw.query(
      `CREATE TABLE ${TABLE} (tenant_id integer NOT NULL, order_id bigint NOT NULL, line integer NOT NULL, n integer NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, order_id, line))`,
    );
    const series =
      engine === 'postgres'
        ? `SELECT g % 50, g / 3, g % 3, 0 FROM generate_series(1, ${ROWS}) AS g`
        : `SELECT seq % 50, seq DIV 3, seq % 3, 0 FROM seq_1_to_${ROWS}`;
    await t.raw.query(`INSERT INTO ${TABLE} (tenant_id, order_id, line, n) ${series}`);
    await t.raw.query(engine === 'postgres' ? `ANALYZE ${TABLE}` : `ANALYZE TABLE ${TABLE}`);
    const spec = defineJob({
      id: 'keys-sql',
      owner: 'test',
      engine,
      database: 'primary',
      table: TABLE,
      key: ['tenant_id', 'order_id', 'line'],
      kind: 'update',
      set: { n: 'n + 1' },
    }) as UpdateJobSpec;
    codec = await keyCodecOf(t.db, spec);
    s = new DeclarativeSql(spec, codec, ['tenant_id', 'order_id', 'line', 'n']);
  });

  const plan = (build: Parameters<typeof sql>[1]) => {
    const stmt = sql(t.db.dialect, build);
    return explain(t.db, engine, stmt.text, stmt.values);
  };

  it('selects the keys after a key by an index range scan', async () => {
    const text = await plan((b) => s.nextKeys(b, k(20, 100, 1), 500));
    if (engine === 'postgres') {
      expect(text).toMatch(/Index (Only )?Scan using keys_sql_orders_pkey/);
      expect(text).toContain('Index Cond: (ROW(tenant_id, order_id, line) > ROW(');
      expect(text).not.toContain('Seq Scan');
      expect(text).not.toContain('Sort');
    } else {
      // The expanded OR form is a range; a row constructor `>` would be a full index scan.
      expect(text).toBe(`${TABLE}: range PRIMARY`);
      const row = await explain(
        t.db,
        engine,
        `SELECT tenant_id FROM ${TABLE} WHERE (tenant_id, order_id, line) > (?, ?, ?) ORDER BY tenant_id, order_id, line LIMIT 500`,
        [20, 100, 1],
      );
      expect(row).toBe(`${TABLE}: index PRIMARY`);
    }
  });

  it('changes a key range by an index range scan', async () => {
    const text = await plan(
      (b) =>
        `UPDATE ${b.table({ name: TABLE })} SET n = n + 1 WHERE ${s.inRange(b, { firstKey: k(20, 100, 1), lastKey: k(21, 5, 0) })}`,
    );
    if (engine === 'postgres') {
      expect(text).toContain('Index Cond: ((ROW(tenant_id, order_id, line) >= ROW(');
      expect(text).not.toContain('Seq Scan');
    } else {
      expect(text).toBe(`${TABLE}: range PRIMARY`);
    }
  });

  it('finds a list of keys by the key index (PostgreSQL: joined from a recordset; MariaDB: IN of tuples, a range)', async () => {
    const keys = [k(1, 1, 1), k(2, 2, 2), k(3, 3, 0)];
    const text = await plan((b) => `SELECT n FROM ${b.table({ name: TABLE })} WHERE ${s.inKeys(b, keys)}`);
    if (engine === 'postgres') {
      // The keys as rows of the table's type, joined by the primary key: one index probe per key.
      expect(text).toContain('Function Scan on jsonb_populate_recordset lowtide_keys');
      expect(text).toMatch(/Index (Only )?Scan using keys_sql_orders_pkey/);
      expect(text).toContain(
        'Index Cond: ((tenant_id = lowtide_keys.tenant_id) AND (order_id = lowtide_keys.order_id) AND (line = lowtide_keys.line))',
      );
      expect(text).not.toContain('Seq Scan');
    } else {
      expect(text).toBe(`${TABLE}: range PRIMARY`);
    }
  });

  it('plans a whole range batch on index scans only, with first and last keys found without OFFSET', async () => {
    const plans: string[] = [];
    const tx = explainingTx(t.db, engine, plans);
    await changeByRange(
      s,
      tx,
      k(20, 100, 1),
      500,
      (b, range) => `UPDATE ${b.table({ name: TABLE })} SET n = n + 1 WHERE ${range}`,
    );
    const all = plans.join('\n');
    expect(all).not.toMatch(/OFFSET/i);
    if (engine === 'postgres') {
      // One statement: the selection, its first and last rows, and the change over their range.
      expect(plans).toHaveLength(1);
      expect(all).toContain('Index Cond: (ROW(tenant_id, order_id, line) > ROW(');
      // The bounds are InitPlan parameters: the change is an index range scan over the key.
      expect(all).toContain('Index Cond: ((ROW(tenant_id, order_id, line) >= ROW($');
      expect(all).not.toContain('Seq Scan');
    } else {
      // The bounds are the selection's keys read in order (no OFFSET); the change is planned once they are known.
      expect(plans).toHaveLength(1);
      expect(all).toContain(`${TABLE}: range PRIMARY`);
      expect(all).not.toContain(`${TABLE}: ALL`);
    }
  });
});

/**
 * A MySQL ENUM sorts and is indexed by its index number, so the walk binds the index (see
 * KeyCodec): `stage > 2` would be a full index scan on MariaDB, `stage IN (3)` is a range.
 */
describe('keyset SQL of a key with an ENUM declared out of sorted order on mysql', () => {
  const t = useEngineDatabase('mysql');
  const ENUM_TABLE = 'keysfix_sql_enum';
  let s: DeclarativeSql;
  let codec: KeyCodec;

  beforeAll(async () => {
    await t.raw.query(
      `CREATE TABLE ${ENUM_TABLE} (stage enum('zeta', 'alpha', 'mid') NOT NULL, n integer NOT NULL, touched integer NOT NULL DEFAULT 0, PRIMARY KEY (stage, n))`,
    );
    await t.raw.query(
      `INSERT INTO ${ENUM_TABLE} (stage, n) SELECT ELT(1 + seq % 3, 'zeta', 'alpha', 'mid'), seq FROM seq_1_to_60000`,
    );
    await t.raw.query(`ANALYZE TABLE ${ENUM_TABLE}`);
    const spec = defineJob({
      id: 'keys-sql-enum',
      owner: 'test',
      engine: 'mysql',
      database: 'primary',
      table: ENUM_TABLE,
      key: ['stage', 'n'],
      kind: 'update',
      set: { touched: 'touched + 1' },
    }) as UpdateJobSpec;
    codec = await keyCodecOf(t.db, spec);
    s = new DeclarativeSql(spec, codec, ['stage', 'n', 'touched']);
  });

  const run = async (build: Parameters<typeof sql>[1]) => {
    const stmt = sql(t.db.dialect, build);
    const plan = await explain(t.db, 'mysql', stmt.text, stmt.values);
    return { plan, rows: (await t.db.query(stmt.text, stmt.values)).rows };
  };

  it('selects the keys after a key in declaration order, by an index range scan', async () => {
    const { plan, rows } = await run((b) => s.nextKeys(b, codec.encode(['zeta', '60000']), 3));
    expect(plan).toBe(`${ENUM_TABLE}: range PRIMARY`);
    expect(rows.map((r) => [r.lowtide_k0, Number(r.lowtide_k1)])).toEqual([
      ['alpha', 1],
      ['alpha', 4],
      ['alpha', 7],
    ]);
    const last = await run((b) => s.nextKeys(b, codec.encode(['mid', '59999']), 3));
    expect(last.rows).toEqual([]);
  });

  it('changes a key range across labels by an index range scan', async () => {
    const range = (b: Parameters<Parameters<typeof sql>[1]>[0]) =>
      s.inRange(b, { firstKey: codec.encode(['zeta', '59997']), lastKey: codec.encode(['mid', '2']) });
    const { plan } = await run(
      (b) => `UPDATE ${b.table({ name: ENUM_TABLE })} SET touched = touched + 1 WHERE ${range(b)}`,
    );
    expect(plan).toBe(`${ENUM_TABLE}: range PRIMARY`);
    const { rows } = await run(
      (b) => `SELECT stage, n FROM ${b.table({ name: ENUM_TABLE })} WHERE ${range(b)} ORDER BY stage, n`,
    );
    // zeta 59997 and 60000, every alpha (20000), mid 2.
    expect(rows).toHaveLength(20003);
    expect(rows[0]).toMatchObject({ stage: 'zeta', n: 59997 });
    expect(rows.at(-1)).toMatchObject({ stage: 'mid', n: 2 });
  });

  it('compared with a number or a label instead, the ENUM is not a range (why the index list)', async () => {
    const gt = await explain(
      t.db,
      'mysql',
      `SELECT n FROM ${ENUM_TABLE} WHERE stage > ? ORDER BY stage, n LIMIT 3`,
      [1],
    );
    expect(gt).toBe(`${ENUM_TABLE}: index PRIMARY`);
  });
});
