import { describe, expect, it } from 'vitest';
import {
  installLedger,
  readLedger,
  rollbackJob,
  runPreflight,
  validateJob,
  verifyCommittedBatch,
} from '../../src/engine';
import { displayKey } from '../../src/engine/key-display';
import { defineJob } from '../../src/job/define-job';
import type { CheckResult } from '../../src/job/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';

function failed(checks: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(
    checks.filter((c) => !c.ok && c.severity !== 'warning').map((c) => [c.name, c.reason]),
  );
}

interface KeyCase {
  readonly name: string;
  /** Column definitions of the key, then `PRIMARY KEY (...)` is over them in this order. */
  readonly columns: readonly string[];
  /** Rows as SQL tuples of the key columns' literals; neighbours at each type's limits. */
  readonly rows: readonly string[];
  readonly setup?: string;
}

/**
 * Keys of every type a B-tree orders deterministically, with values that a lossy carrier would
 * merge or misorder: integers past 2^53 and at their limits, decimals that differ in the last
 * digit, timestamps a microsecond apart, bytes that differ in a trailing zero, enum labels whose
 * text order is not their sort order, text under a case-insensitive collation.
 */
const CASES: Record<TestEngine, readonly KeyCase[]> = {
  postgres: [
    {
      name: 'bigint at its limits',
      columns: ['k bigint'],
      rows: ['(-9223372036854775808)', '(9007199254740992)', '(9007199254740993)', '(9223372036854775807)'],
    },
    {
      name: 'numeric to the last digit',
      columns: ['k numeric(40,20)'],
      rows: [
        "('1.00000000000000000001')",
        "('1.00000000000000000002')",
        "('-5')",
        "('99999999999999999999.5')",
      ],
    },
    {
      name: 'text in "C" order',
      columns: ['k text COLLATE "C"'],
      rows: ["('a')", "('B')", "('b')", "('ä')", "('it''s')"],
    },
    {
      name: 'text under a deterministic ICU collation',
      columns: ['k text COLLATE "und-x-icu"'],
      rows: ["('a')", "('B')", "('b')", "('ä')", "('Z')", "('ab')"],
    },
    {
      name: 'bytea',
      columns: ['k bytea'],
      rows: ["('\\x'::bytea)", "('\\x00'::bytea)", "('\\x0000'::bytea)", "('\\xff'::bytea)"],
    },
    {
      name: 'timestamptz to the microsecond',
      columns: ['k timestamptz'],
      rows: [
        "('2026-01-01 00:00:00.123456+00')",
        "('2026-01-01 00:00:00.123457+00')",
        "('2026-01-01 02:00:00.123456+05')",
        "('infinity')",
      ],
    },
    {
      name: 'timestamp, date and time',
      columns: ['d date', 't time', 'ts timestamp'],
      rows: [
        "('2026-01-01', '10:00:00.000001', '2026-01-01 00:00:00.000001')",
        "('2026-01-01', '10:00:00.000001', '2026-01-01 00:00:00.000002')",
        "('2026-01-01', '10:00:00.000002', '2026-01-01 00:00:00')",
        "('2026-01-02', '00:00:00', '1999-12-31 23:59:59.999999')",
      ],
    },
    {
      name: 'an enum in its sort order',
      setup:
        "DO $$ BEGIN CREATE TYPE keys_mood AS ENUM ('sad', 'happy', 'meh'); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
      columns: ['m keys_mood', 'k integer'],
      rows: ["('sad', 1)", "('sad', 2)", "('happy', 1)", "('meh', 1)"],
    },
    {
      name: 'uuid and boolean',
      columns: ['u uuid', 'b boolean'],
      rows: [
        "('00000000-0000-0000-0000-000000000001', false)",
        "('00000000-0000-0000-0000-000000000001', true)",
        "('ffffffff-0000-0000-0000-000000000000', false)",
      ],
    },
    {
      name: 'composite of mixed types',
      columns: ['tenant_id integer', 'order_id bigint', 'line numeric(10,2)', 'tag bytea', 'code text'],
      rows: [
        "(1, 9007199254740993, 1.10, '\\x00', 'a')",
        "(1, 9007199254740993, 1.10, '\\x00', 'b')",
        "(1, 9007199254740993, 1.10, '\\x01', 'a')",
        "(1, 9007199254740994, 0.01, '\\x', 'a')",
        "(2, -1, 0, '\\x', '')",
      ],
    },
  ],
  mysql: [
    {
      name: 'bigint unsigned to 2^64-1',
      columns: ['k bigint unsigned'],
      rows: [
        '(0)',
        '(9007199254740992)',
        '(9007199254740993)',
        '(18446744073709551614)',
        '(18446744073709551615)',
      ],
    },
    {
      name: 'decimal to the last digit',
      columns: ['k decimal(30,20)'],
      rows: ["('1.00000000000000000001')", "('1.00000000000000000002')", "('-5')", "('9999999999.5')"],
    },
    {
      name: 'varchar under a case-insensitive collation',
      columns: ['k varchar(20) COLLATE utf8mb4_general_ci'],
      rows: ["('a')", "('B')", "('c')", "('D')", "('it''s')"],
    },
    {
      name: 'binary(16) uuids',
      columns: ['k binary(16)'],
      rows: [
        "(UNHEX('00000000000000000000000000000000'))",
        "(UNHEX('00000000000000000000000000000001'))",
        "(UNHEX('0a000000000000000000000000000000'))",
        "(UNHEX('ffffffffffffffffffffffffffffffff'))",
      ],
    },
    {
      name: 'varbinary with trailing zeros',
      columns: ['k varbinary(8)'],
      rows: ["(X'')", "(X'00')", "(X'0000')", "(X'ff')"],
    },
    {
      name: 'datetime(6), date and time(6)',
      columns: ['d date', 't time(6)', 'ts datetime(6)'],
      rows: [
        "('2026-01-01', '10:00:00.000001', '2026-01-01 00:00:00.000001')",
        "('2026-01-01', '10:00:00.000001', '2026-01-01 00:00:00.000002')",
        "('2026-01-01', '10:00:00.000002', '2026-01-01 00:00:00')",
        "('2026-01-02', '-01:00:00', '1999-12-31 23:59:59.999999')",
      ],
    },
    {
      name: 'timestamp(6)',
      columns: ['k timestamp(6)'],
      rows: ["('2026-01-01 00:00:00.000001')", "('2026-01-01 00:00:00.000002')", "('2030-01-01 00:00:00')"],
    },
    {
      name: 'an enum declared in sorted order',
      columns: ["m enum('a','b','c')", 'k int'],
      rows: ["('a', 1)", "('a', 2)", "('b', 1)", "('c', 1)"],
    },
    {
      name: 'composite of mixed types',
      columns: [
        'tenant_id int unsigned',
        'order_id bigint unsigned',
        'line decimal(10,2)',
        'tag varbinary(4)',
        'code varchar(10) COLLATE utf8mb4_general_ci',
      ],
      rows: [
        "(1, 18446744073709551615, 1.10, X'00', 'a')",
        "(1, 18446744073709551615, 1.10, X'00', 'B')",
        "(1, 18446744073709551615, 1.10, X'01', 'a')",
        "(2, 9007199254740993, 0.01, X'', 'a')",
        "(2, 9007199254740994, 0, X'', '')",
      ],
    },
  ],
};

describe.each(ENGINES)('jobs keyed by typed and composite keys on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let n = 0;

  const makeTable = async (c: KeyCase) => {
    if (c.setup) await t.raw.query(c.setup);
    const table = `keys_typed_${++n}`;
    const names = c.columns.map((col) => col.split(' ')[0]!);
    await t.raw.query(
      `CREATE TABLE ${table} (${c.columns.map((col) => `${col} NOT NULL`).join(', ')}, n int NOT NULL DEFAULT 0, PRIMARY KEY (${names.join(', ')}))`,
    );
    await t.raw.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES ${c.rows.join(', ')}`);
    return table;
  };

  const counts = async (table: string) =>
    (await t.raw.query<{ n: unknown }>(`SELECT n FROM ${table}`)).map((r) => Number(r.n)).sort();

  const job = (table: string, id: string, extra: Record<string, unknown> = {}) =>
    defineJob({
      id,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      // key left out: the primary key, in its order
      kind: 'update',
      set: { n: 'n + 1' },
      batch: { size: 2, min: 1, max: 2 },
      ...extra,
    });

  it.each(CASES[engine])('walks $name by key range, every row once, and passes postflight', async (c) => {
    const table = await makeTable(c);
    const spec = job(table, `keys-range-${n}`);
    const report = await runPreflight({ spec, db: t.db });
    expect(failed(report.checks)).toEqual({});
    expect(report.checks.find((x) => x.name === 'key-type')?.reason).toMatch(/^key: primary key /);

    await installLedger(t.db, spec);
    const run = await runUntilDone(spec, t.db);

    expect(run.rows).toBe(c.rows.length);
    expect(await counts(table)).toEqual(c.rows.map(() => 1));
    expect(await validateJob({ spec, db: t.db })).toEqual({ ok: true });
    // A later run resumes after the last key and finds nothing: the checkpointed key reads back exactly.
    const again = await runUntilDone(spec, t.db);
    expect(again.rows).toBe(0);
    const head = await readLedger(t.db, spec);
    expect(displayKey(head!.lastKey!)).not.toContain('"');
  });

  it.each(CASES[engine])('walks $name by key list with audit, then rolls back every row', async (c) => {
    const table = await makeTable(c);
    const spec = job(table, `keys-audit-${n}`, { rollback: { audit: true } });
    expect(failed((await runPreflight({ spec, db: t.db })).checks)).toEqual({});
    await installLedger(t.db, spec);
    expect((await runUntilDone(spec, t.db)).rows).toBe(c.rows.length);
    expect(await counts(table)).toEqual(c.rows.map(() => 1));

    const undo = rollbackJob(spec);
    expect(failed((await runPreflight({ spec: undo, db: t.db })).checks)).toEqual({});
    await installLedger(t.db, undo);
    expect((await runUntilDone(undo, t.db)).rows).toBe(c.rows.length);
    expect(await counts(table)).toEqual(c.rows.map(() => 0));
  });

  it.each(CASES[engine])('deletes every row of $name by key range', async (c) => {
    const table = await makeTable(c);
    const spec = defineJob({
      id: `keys-purge-${n}`,
      owner: 'test',
      engine,
      database: 'primary',
      table,
      kind: 'delete',
      where: 'n = 0',
      batch: { size: 2, min: 1, max: 2 },
    });
    await installLedger(t.db, spec);
    const run = await runUntilDone(spec, t.db);
    expect(run.rows).toBe(c.rows.length);
    expect(await counts(table)).toEqual([]);
    for (let batchNo = 1; batchNo <= run.batches; batchNo++)
      expect(await verifyCommittedBatch({ spec, db: t.db, batchNo, lease: { token: 1 } })).toEqual({
        ok: true,
      });
    // A writer puts the first row back: the first batch's range holds a matching row again, named by its key.
    const names = c.columns.map((col) => col.split(' ')[0]!);
    await t.raw.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES ${c.rows[0]}`);
    const verdict = await verifyCommittedBatch({ spec, db: t.db, batchNo: 1, lease: { token: 1 } });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok)
      expect(verdict.reason).toMatch(/rows matching the predicate remain in the batch's range: keys \S/);
  });
});
