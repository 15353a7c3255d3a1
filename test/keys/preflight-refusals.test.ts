import { describe, expect, it } from 'vitest';
import { useE2e } from '../e2e/support/harness';
import { ENGINES, type TestEngine } from '../support/databases';
import type { RawConnection } from '../support/raw-sql';
import {
  blockedReasons,
  countRows,
  type KeyInput,
  keyedJob,
  ledgerExists,
  ledgerOf,
  planOf,
} from './support/keyed-jobs';
import { createOrderLines } from './support/order-lines';

interface Refusal {
  readonly name: string;
  readonly table: string;
  readonly key: KeyInput;
  /** What the reason must say (the column and why), in plan and run alike. */
  readonly reason: readonly RegExp[];
  /** The column the job would bump; default `touched`. */
  readonly touched?: string;
  /** Creates and fills `table`. */
  readonly create: (raw: RawConnection) => Promise<void>;
}

function refusals(engine: TestEngine): Refusal[] {
  const pg = engine === 'postgres';
  const fill = (table: string, values: string) => async (raw: RawConnection) =>
    void (await raw.query(`INSERT INTO ${table} VALUES ${values}`));
  const list: Refusal[] = [
    {
      name: 'a nullable key column (under a unique index)',
      table: 'keytests_nullable',
      key: ['tenant_id', 'ref'],
      reason: [/ref/, /null/i],
      create: async (raw) => {
        await raw.query(
          `CREATE TABLE keytests_nullable (tenant_id int NOT NULL, ref int NULL, touched int NOT NULL DEFAULT 0,
             UNIQUE (tenant_id, ref))`,
        );
        await fill('keytests_nullable', '(1, 1, 0), (1, NULL, 0), (2, 5, 0)')(raw);
      },
    },
    {
      name: 'a floating point key column',
      table: 'keytests_float',
      key: ['tenant_id', 'score'],
      reason: [/score/, /float|double|real/i],
      create: async (raw) => {
        await raw.query(
          `CREATE TABLE keytests_float (tenant_id int NOT NULL, score ${pg ? 'double precision' : 'double'} NOT NULL,
             touched int NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, score))`,
        );
        await fill('keytests_float', '(1, 0.1, 0), (1, 0.30000000000000004, 0), (2, 1e300, 0)')(raw);
      },
    },
    {
      name: 'a json key column',
      table: 'keytests_json',
      key: 'doc',
      // MariaDB's JSON is LONGTEXT underneath and only a prefix of it can be indexed: refused
      // either way, whichever check says so first.
      reason: pg ? [/doc/, /json/i] : [/doc/],
      create: async (raw) => {
        // PostgreSQL orders jsonb with a B-tree; MariaDB's JSON is text underneath, uniquely
        // indexable by a prefix. Neither order is one a job may walk: json is refused.
        await raw.query(
          pg
            ? 'CREATE TABLE keytests_json (doc jsonb PRIMARY KEY, touched int NOT NULL DEFAULT 0)'
            : 'CREATE TABLE keytests_json (doc json NOT NULL, touched int NOT NULL DEFAULT 0, UNIQUE KEY u (doc(200)))',
        );
        await fill('keytests_json', `('{"a": 1}', 0), ('{"a": 2}', 0), ('[1, 2]', 0)`)(raw);
      },
    },
    {
      name: 'columns of the primary key, out of its order',
      table: 'keytests_reordered',
      key: ['order_id', 'tenant_id', 'line'],
      reason: [/order_id/, /tenant_id/, /unique index|primary key/i],
      touched: 'applied_count',
      create: async (raw) =>
        void (await createOrderLines(raw, engine, 'keytests_reordered', { counted: false })),
    },
    {
      name: 'a leading part of the primary key (not unique by itself)',
      table: 'keytests_prefix',
      key: ['tenant_id', 'order_id'],
      reason: [/tenant_id/, /unique/i],
      touched: 'applied_count',
      create: async (raw) =>
        void (await createOrderLines(raw, engine, 'keytests_prefix', { counted: false })),
    },
  ];
  if (pg)
    list.push({
      name: 'a column under a nondeterministic ICU collation',
      table: 'keytests_nondeterministic',
      key: 'code',
      reason: [/code/, /nondeterministic/i, /collat/i],
      create: async (raw) => {
        await raw.query(
          "CREATE COLLATION keytests_case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
        );
        await raw.query(
          'CREATE TABLE keytests_nondeterministic (code text COLLATE keytests_case_blind PRIMARY KEY, touched int NOT NULL DEFAULT 0)',
        );
        await fill('keytests_nondeterministic', "('a', 0), ('B', 0), ('c', 0)")(raw);
      },
    });
  return list;
}

describe.each(ENGINES)(
  'preflight refuses a key it cannot order safely on %s, before any change',
  (engine) => {
    const cases = refusals(engine);
    const jobs = cases.map((c) =>
      keyedJob(engine, {
        id: c.table.replace(/_/g, '-'),
        table: c.table,
        key: c.key,
        kind: 'update',
        where: '1 = 1',
        set: { [c.touched ?? 'touched']: `${c.touched ?? 'touched'} + 1` },
      }),
    );
    const e2e = useE2e(engine, jobs, {
      prepare: async (db) => {
        for (const c of cases) await c.create(db.raw);
      },
    });

    it.each(cases.map((c, i) => [c.name, c, jobs[i]!] as const))('%s', async (_, c, job) => {
      const rowsBefore = await countRows(e2e.db.raw, c.table);
      const { report, text } = await planOf(job, e2e.db.testDb.url);
      expect(report.ok, text).toBe(false);
      const failed = report.checks.filter((check) => !check.ok && check.severity !== 'warning');
      expect(failed.length, text).toBeGreaterThan(0);
      const planReasons = failed.map((check) => check.reason).join('\n');
      for (const pattern of c.reason) expect(planReasons).toMatch(pattern);

      const result = await e2e.rt.runtime.run({ jobId: job.id });
      expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Blocked' });
      const runReasons = blockedReasons(result.output).join('\n');
      for (const pattern of c.reason) expect(runReasons).toMatch(pattern);

      // Nothing changed: no row touched, no control state, no ledger row.
      expect(await countRows(e2e.db.raw, c.table)).toBe(rowsBefore);
      expect(await countRows(e2e.db.raw, c.table, `${c.touched ?? 'touched'} <> 0`)).toBe(0);
      expect(await e2e.rt.runtime.store.getJob(job.id)).toBeUndefined();
      if (await ledgerExists(e2e.db.raw, engine)) expect(await ledgerOf(e2e.db.raw, job.id)).toEqual([]);
    });
  },
);

/**
 * Issue 17 asks for enums walked in their sort order. MySQL sorts and indexes an ENUM by its
 * declaration, not its labels' text, so an ENUM declared out of sorted order passes preflight
 * and is walked in declaration order (lowtide compares it by its index number).
 */
describe('an ENUM key declared out of sorted order on mysql passes preflight and is walked in declaration order', () => {
  const tables = [
    { table: 'keysfix_unsorted_enum', key: ['stage', 'n'] as const },
    { table: 'keysfix_unsorted_enum_alone', key: 'stage' },
  ];
  const jobs = tables.map((t) =>
    keyedJob('mysql', {
      id: t.table.replace(/_/g, '-'),
      table: t.table,
      key: t.key,
      kind: 'update',
      where: '1 = 1',
      set: { touched: 'touched + 1' },
      batch: { size: 1, min: 1, max: 1, targetMs: 200 },
    }),
  );
  const e2e = useE2e('mysql', jobs, {
    prepare: async (db) => {
      await db.raw.query(
        `CREATE TABLE keysfix_unsorted_enum (stage enum('zeta', 'alpha', 'mid') NOT NULL, n smallint NOT NULL,
           touched int NOT NULL DEFAULT 0, PRIMARY KEY (stage, n))`,
      );
      await db.raw.query(
        "INSERT INTO keysfix_unsorted_enum (stage, n) VALUES ('alpha', 1), ('zeta', 2), ('mid', 1), ('zeta', 1), ('alpha', 2), ('mid', 2)",
      );
      await db.raw.query(
        `CREATE TABLE keysfix_unsorted_enum_alone (stage enum('zeta', 'alpha', 'mid') NOT NULL PRIMARY KEY,
           touched int NOT NULL DEFAULT 0)`,
      );
      await db.raw.query(
        "INSERT INTO keysfix_unsorted_enum_alone (stage) VALUES ('mid'), ('alpha'), ('zeta')",
      );
    },
  });
  const expected: Record<string, string[]> = {
    keysfix_unsorted_enum: [
      '["szeta","n1"]',
      '["szeta","n2"]',
      '["salpha","n1"]',
      '["salpha","n2"]',
      '["smid","n1"]',
      '["smid","n2"]',
    ],
    keysfix_unsorted_enum_alone: ['zeta', 'alpha', 'mid'],
  };

  it.each(tables.map((t, i) => [t.table, jobs[i]!] as const))('%s', async (table, job) => {
    const { report, text } = await planOf(job, e2e.db.testDb.url);
    expect(report.ok, text).toBe(true);
    expect(report.checks.find((c) => c.name === 'key-type')).toMatchObject({ ok: true });

    const result = await e2e.rt.runtime.run({ jobId: job.id });
    expect(result, JSON.stringify(result.output?.blocked ?? result.error)).toMatchObject({
      status: 'SUCCEEDED',
      exit: 'Completed',
    });
    const rows = expected[table]!.length;
    expect(await countRows(e2e.db.raw, table, 'touched = 1')).toBe(rows);
    expect(await countRows(e2e.db.raw, table, 'touched <> 1')).toBe(0);
    // One row a batch, in the index's order (declaration order), each once.
    const ledger = await e2e.db.raw.query<{ first_key: string; last_key: string }>(
      `SELECT first_key, last_key FROM lowtide_ledger WHERE job_id = '${job.id}' AND selected > 0 ORDER BY batch_no`,
    );
    expect(ledger.map((r) => r.first_key)).toEqual(expected[table]);
    expect(ledger.map((r) => r.last_key)).toEqual(expected[table]);
  });
});
