import { describe, expect, it } from 'vitest';
import {
  dryRunBatch,
  installLedger,
  rollbackJob,
  runBatch,
  runPreflight,
  validateJob,
} from '../../src/engine';
import { displayKey } from '../../src/engine/key-display';
import { jobLedger, readPass } from '../../src/engine/ledger';
import { defineJob } from '../../src/job/define-job';
import type { CheckResult } from '../../src/job/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';

const ROWS = 15_000;

function failed(checks: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.name, c.reason]));
}

/** A table partitioned by tenant; its primary key must (and does) include the partition key. */
async function createPartitioned(
  raw: { query: (text: string) => Promise<unknown> },
  engine: TestEngine,
  table: string,
) {
  if (engine === 'postgres') {
    await raw.query(
      `CREATE TABLE ${table} (tenant_id integer NOT NULL, id bigint NOT NULL, n integer NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, id)) PARTITION BY RANGE (tenant_id)`,
    );
    await raw.query(`CREATE TABLE ${table}_a PARTITION OF ${table} FOR VALUES FROM (0) TO (10)`);
    await raw.query(`CREATE TABLE ${table}_b PARTITION OF ${table} FOR VALUES FROM (10) TO (20)`);
    await raw.query(`CREATE TABLE ${table}_rest PARTITION OF ${table} DEFAULT`);
    await raw.query(
      `INSERT INTO ${table} (tenant_id, id) SELECT g % 30, g FROM generate_series(1, ${ROWS}) AS g`,
    );
    await raw.query(`ANALYZE ${table}`);
  } else {
    await raw.query(
      `CREATE TABLE ${table} (tenant_id int NOT NULL, id bigint NOT NULL, n int NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, id)) PARTITION BY RANGE (tenant_id) (PARTITION pa VALUES LESS THAN (10), PARTITION pb VALUES LESS THAN (20), PARTITION prest VALUES LESS THAN MAXVALUE)`,
    );
    await raw.query(`INSERT INTO ${table} (tenant_id, id) SELECT seq % 30, seq FROM seq_1_to_${ROWS}`);
    await raw.query(`ANALYZE TABLE ${table}`);
  }
}

describe.each(ENGINES)('a partitioned table on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let n = 0;

  const backfill = (table: string, extra: Record<string, unknown> = {}) =>
    defineJob({
      id: `keys-parted-${n}`,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      kind: 'update',
      set: { n: 'n + 1' },
      batch: { size: 1000, min: 100, max: 1000 },
      ...extra,
    });

  it('passes key-index, selection-plan and columns on its partitioned primary key, and walks every partition in key order', async () => {
    const table = `keys_parted_${++n}`;
    await createPartitioned(t.raw, engine, table);
    const spec = backfill(table);

    const report = await runPreflight({ spec, db: t.db });

    expect(failed(report.checks)).toEqual({});
    const reasons = Object.fromEntries(report.checks.map((c) => [c.name, c.reason]));
    expect(reasons['key-type']).toMatch(/^key: primary key \(tenant_id, id\)/);
    expect(reasons['key-index']).toContain('serves key (tenant_id, id)');
    if (engine === 'postgres') {
      // Merge Append over each partition's index, in key order, no sort and no sequential scan.
      expect(reasons['selection-plan']).toMatch(/Merge Append\(Index Only Scan using \w+ on \w+_a, /);
      expect(reasons['selection-plan']).not.toContain('Seq Scan');
    } else {
      expect(reasons['selection-plan']).toContain('batch selection uses an index');
    }

    // The plan's sample batch: the first batch as a run would take it, rolled back.
    const sample = await dryRunBatch({ spec, db: t.db, batchSize: 100 });
    expect(sample).toMatchObject({ status: 'changed', selected: 100, affected: 100 });
    if (sample.status === 'changed') expect(displayKey(sample.firstKey)).toBe('(0, 30)');

    await installLedger(t.db, spec);
    const run = await runUntilDone(spec, t.db);
    expect(run.rows).toBe(ROWS);
    const [counts] = await t.raw.query<{ done: unknown; other: unknown }>(
      `SELECT sum(CASE WHEN n = 1 THEN 1 ELSE 0 END) AS done, sum(CASE WHEN n <> 1 THEN 1 ELSE 0 END) AS other FROM ${table}`,
    );
    expect(Number(counts!.done)).toBe(ROWS);
    expect(Number(counts!.other)).toBe(0);
    // One walk in key order across the partitions: each batch starts after the one before it.
    const batches = await readPass(t.db, await jobLedger(t.db, spec), 1);
    const tenants = batches.map((b) => Number(JSON.parse(b.firstKey)[0].slice(1)));
    expect(tenants).toEqual([...tenants].sort((a, b) => a - b));
    expect(tenants[0]).toBe(0);
    expect(Number(JSON.parse(batches.at(-1)!.lastKey)[0].slice(1))).toBe(29);
    expect(await validateJob({ spec, db: t.db })).toEqual({ ok: true });
  });

  it('refuses a key that is not its unique index, naming the partitioned primary key', async () => {
    const table = `keys_parted_${++n}`;
    await createPartitioned(t.raw, engine, table);
    const report = await runPreflight({ spec: backfill(table, { key: 'id' }), db: t.db });
    expect(failed(report.checks)['key-index']).toContain(
      'no unique index is over exactly key id: choose (tenant_id, id) (the primary key)',
    );
  });

  it('reports rows that began matching behind the cursor by their tuple keys', async () => {
    const table = `keys_parted_${++n}`;
    await createPartitioned(t.raw, engine, table);
    await t.raw.query(`UPDATE ${table} SET n = 1 WHERE id % 100 = 0`);
    const spec = defineJob({
      id: `keys-parted-purge-${n}`,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      kind: 'delete',
      where: 'n = 1',
      batch: { size: 50, min: 50, max: 50 },
    });
    await installLedger(t.db, spec);
    // Tenant 0 holds 50 matching rows (ids 300 to 15000): the first batch is all of them.
    for (let i = 0; i < 2; i++) await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 50 });
    await t.raw.query(`UPDATE ${table} SET n = 1 WHERE tenant_id = 0 AND id IN (330, 360)`);
    await runUntilDone(spec, t.db);

    const verdict = await validateJob({ spec, db: t.db });

    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.note).toContain('2 rows in the key range the pass walked ((0, 300) to (');
    expect(verdict.note).toContain('e.g. keys (0, 330), (0, 360);');
  });

  it('audits a backfill by locked key lists across partitions and rolls it back', async () => {
    const table = `keys_parted_${++n}`;
    await createPartitioned(t.raw, engine, table);
    const spec = backfill(table, {
      id: `keys-parted-audit-${n}`,
      rollback: { audit: true },
    });
    expect(failed((await runPreflight({ spec, db: t.db })).checks)).toEqual({});
    await installLedger(t.db, spec);
    const targets = ROWS;
    expect((await runUntilDone(spec, t.db)).rows).toBe(targets);
    const done = async () =>
      Number((await t.raw.query<{ c: unknown }>(`SELECT count(*) AS c FROM ${table} WHERE n = 1`))[0]!.c);
    expect(await done()).toBe(targets);

    const undo = rollbackJob(spec);
    await installLedger(t.db, undo);
    expect((await runUntilDone(undo, t.db)).rows).toBe(targets);
    expect(await done()).toBe(0);
  });
});
