import { describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import { ENGINES, type TestEngine } from '../support/databases';
import type { RawConnection } from '../support/raw-sql';
import {
  countTupleWrites,
  numberInKeyOrder,
  type TupleWrites,
  walkedInKeyOrder,
} from '../support/tuple-writes';
import { countRows, keyedJob, ledgerOf, planOf } from './support/keyed-jobs';
import { createOrderLines, LINE_KEY, LINE_ROWS, OPEN_LINES } from './support/order-lines';

const EVENT_DAYS = 90;
const EVENTS_PER_DAY = 4;
const EVENTS = EVENT_DAYS * EVENTS_PER_DAY;

/**
 * `keytests_events`: keyed by (created_on date, id), the id repeating every day, range-partitioned
 * by month (with a catch-all partition) as time-series tables are. Half the events are 'stale'.
 */
async function createEvents(raw: RawConnection, engine: TestEngine): Promise<TupleWrites> {
  if (engine === 'postgres') {
    await raw.query(`CREATE TABLE keytests_events (created_on date NOT NULL, id bigint NOT NULL, kind text NOT NULL,
      ord bigint NOT NULL DEFAULT 0, PRIMARY KEY (created_on, id)) PARTITION BY RANGE (created_on)`);
    for (const [name, from, to] of [
      ['jan', '2024-01-01', '2024-02-01'],
      ['feb', '2024-02-01', '2024-03-01'],
      ['mar', '2024-03-01', '2024-04-01'],
    ])
      await raw.query(
        `CREATE TABLE keytests_events_${name} PARTITION OF keytests_events FOR VALUES FROM ('${from}') TO ('${to}')`,
      );
    await raw.query('CREATE TABLE keytests_events_rest PARTITION OF keytests_events DEFAULT');
    await raw.query(
      `INSERT INTO keytests_events (created_on, id, kind)
       SELECT date '2024-01-01' + d, i, CASE WHEN (d + i) % 2 = 0 THEN 'stale' ELSE 'live' END
       FROM generate_series(0, $1::int - 1) d, generate_series(1, $2::int) i`,
      [EVENT_DAYS, EVENTS_PER_DAY],
    );
  } else {
    await raw.query(`CREATE TABLE keytests_events (created_on date NOT NULL, id bigint NOT NULL, kind varchar(10) NOT NULL,
      ord bigint NOT NULL DEFAULT 0, PRIMARY KEY (created_on, id)) ENGINE=InnoDB
      PARTITION BY RANGE COLUMNS (created_on) (
        PARTITION p_jan VALUES LESS THAN ('2024-02-01'), PARTITION p_feb VALUES LESS THAN ('2024-03-01'),
        PARTITION p_mar VALUES LESS THAN ('2024-04-01'), PARTITION p_rest VALUES LESS THAN (MAXVALUE))`);
    await raw.query(
      `INSERT INTO keytests_events (created_on, id, kind)
       SELECT DATE '2024-01-01' + INTERVAL d.seq DAY, i.seq, IF((d.seq + i.seq) % 2 = 0, 'stale', 'live')
       FROM seq_0_to_${EVENT_DAYS - 1} d, seq_1_to_${EVENTS_PER_DAY} i`,
    );
  }
  await numberInKeyOrder(raw, engine, 'keytests_events', ['created_on', 'id']);
  await raw.query(engine === 'postgres' ? 'ANALYZE keytests_events' : 'ANALYZE TABLE keytests_events');
  return countTupleWrites(raw, engine, 'keytests_events', "concat_ws('|', OLD.created_on, OLD.id)");
}

describe.each(ENGINES)('a partitioned table on %s', (engine) => {
  const byTenant = keyedJob(engine, {
    id: 'keytests-part-tenant',
    table: 'keytests_part_lines',
    key: [...LINE_KEY],
    kind: 'update',
    where: "status = 'open'",
    set: { status: "'billed'", applied_count: 'applied_count + 1' },
  });
  // Key left out: the partitioned table's primary key (created_on, id).
  const byDate = keyedJob(engine, {
    id: 'keytests-part-events',
    table: 'keytests_events',
    key: undefined,
    kind: 'delete',
    where: "kind = 'stale'",
  });
  let lines: TupleWrites;
  let events: TupleWrites;
  const e2e = useE2e(engine, [byTenant, byDate], {
    prepare: async (db) => {
      lines = (await createOrderLines(db.raw, engine, 'keytests_part_lines', { partitioned: true }))!;
      events = await createEvents(db.raw, engine);
    },
  });

  it('range-partitioned by tenant: plan passes; every open line updated once, across both partitions, in key order', async () => {
    const { report, text } = await planOf(byTenant, e2e.db.testDb.url);
    expect(report.ok, text).toBe(true);
    expect(report.checks.find((c) => c.name === 'key-index')?.ok, text).toBe(true);

    const result = await e2e.rt.runtime.run({ jobId: byTenant.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await lines.histogram()).toEqual([[1, OPEN_LINES]]);
    expect(
      await countRows(e2e.db.raw, 'keytests_part_lines', "status = 'closed' AND applied_count = 0"),
    ).toBe(LINE_ROWS - OPEN_LINES);
    const statements = await lines.statements();
    expect(walkedInKeyOrder(statements)).toBe(true);
    expect(statements.at(0)!.minOrd).toBe(1);
    const ledger = await ledgerOf(e2e.db.raw, byTenant.id);
    expect(Number(ledger.at(-1)!.rows_done)).toBe(OPEN_LINES);
    expect(await e2e.rt.runtime.store.getJob(byTenant.id)).toMatchObject({ status: 'completed' });
  });

  it('range-partitioned by month, key left out: plan names the primary key; stale events deleted once, month by month', async () => {
    const { report, text } = await planOf(byDate, e2e.db.testDb.url);
    expect(report.ok, text).toBe(true);
    expect(text).toMatch(/primary key/i);
    expect(text).toMatch(/created_on\W+id/);

    const result = await e2e.rt.runtime.run({ jobId: byDate.id });
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    expect(await events.histogram()).toEqual([[1, EVENTS / 2]]);
    expect(await countRows(e2e.db.raw, 'keytests_events')).toBe(EVENTS / 2);
    expect(await countRows(e2e.db.raw, 'keytests_events', "kind = 'stale'")).toBe(0);
    expect(walkedInKeyOrder(await events.statements())).toBe(true);
    // Every partition was reached (a walk that stopped at a partition boundary would leave some).
    expect(
      await countRows(e2e.db.raw, 'keytests_events', "kind = 'live' AND created_on >= '2024-03-01'"),
    ).toBeGreaterThan(0);
    const ledger = await ledgerOf(e2e.db.raw, byDate.id);
    expect(Number(ledger.at(-1)!.rows_done)).toBe(EVENTS / 2);
  });
});
