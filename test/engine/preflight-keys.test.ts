import { describe, expect, it } from 'vitest';
import { runBatch, runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { CheckResult } from '../../src/job/types';
import { ENGINES, type TestEngine } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';

function failed(checks: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(
    checks.filter((c) => !c.ok && c.severity !== 'warning').map((c) => [c.name, c.reason]),
  );
}

/** Keys lowtide cannot order safely, with a value of each for two rows and what the refusal says. */
const REFUSED: Record<
  TestEngine,
  ReadonlyArray<{ type: string; says: string; values: [string, string]; setup?: string }>
> = {
  postgres: [
    { type: 'double precision', says: 'of type double precision: floating-point', values: ['0.1', '0.2'] },
    { type: 'real', says: 'of type real: floating-point', values: ['0.1', '0.2'] },
    { type: 'jsonb', says: 'of type jsonb: json values have no order', values: ["'1'", "'2'"] },
    {
      type: 'text COLLATE keys_ci',
      says: 'collation keys_ci is nondeterministic',
      values: ["'a'", "'b'"],
      setup:
        "DO $$ BEGIN CREATE COLLATION keys_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    },
    {
      type: 'keys_small',
      says: 'a domain type',
      values: ['1', '2'],
      setup:
        'DO $$ BEGIN CREATE DOMAIN keys_small AS integer; EXCEPTION WHEN duplicate_object THEN NULL; END $$',
    },
    { type: 'interval', says: 'of type interval', values: ["'1 day'", "'2 days'"] },
  ],
  mysql: [
    { type: 'double', says: 'of type double: floating-point', values: ['0.1', '0.2'] },
    { type: 'float', says: 'of type float: floating-point', values: ['0.5', '0.25'] },
    { type: 'bit(8)', says: 'of type bit', values: ["b'1'", "b'10'"] },
  ],
};

describe.each(ENGINES)('preflight of the job key on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let n = 0;

  const purge = (table: string, key: string | string[] | undefined, extra: Record<string, unknown> = {}) =>
    defineJob({
      id: 'purge-by-key',
      owner: 'test',
      engine,
      database: 'primary',
      table,
      ...(key === undefined ? {} : { key }),
      kind: 'delete',
      where: 'true',
      ...extra,
    });

  it.each(REFUSED[engine])(
    'refuses a $type key before any change, naming the column, why and what to do',
    async (kind) => {
      if (kind.setup) await t.raw.query(kind.setup);
      const table = `keys_refused_${++n}`;
      await t.raw.query(`CREATE TABLE ${table} (k ${kind.type} PRIMARY KEY, note varchar(10))`);
      await t.raw.query(`INSERT INTO ${table} (k) VALUES (${kind.values[0]}), (${kind.values[1]})`);
      const spec = purge(table, 'k');

      const report = await runPreflight({ spec, db: t.db });

      expect(report.ok).toBe(false);
      const reason = failed(report.checks)['key-type'];
      expect(reason).toContain('key column k ');
      expect(reason).toContain(kind.says);
      expect(reason).toMatch(/choose another key|key on another column|key on a column/);
      // The key left out (the primary key) is refused the same way.
      const byDefault = await runPreflight({ spec: purge(table, undefined), db: t.db });
      expect(failed(byDefault.checks)['key-type']).toBe(reason);
      // A run that skipped preflight stops at once with the same reason, before changing anything.
      await expect(runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 1 })).rejects.toThrow(
        'key column k ',
      );
      const [left] = await t.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`);
      expect(Number(left!.n)).toBe(2);
    },
  );

  it('accepts the key types lowtide carries exactly', async () => {
    const types =
      engine === 'postgres'
        ? [
            'bigint',
            'integer',
            'text',
            'varchar(40)',
            'uuid',
            'numeric(20,6)',
            'bytea',
            'timestamptz',
            'date',
          ]
        : [
            'bigint unsigned',
            'int',
            'varchar(40)',
            'char(36)',
            'decimal(20,6)',
            'varbinary(16)',
            'datetime(6)',
            // Declared out of its labels' order: walked by index, in declaration order.
            "enum('sad','happy')",
          ];
    for (const type of types) {
      const table = `keys_accepted_${++n}`;
      await t.raw.query(`CREATE TABLE ${table} (k ${type} PRIMARY KEY, note varchar(10))`);
      const report = await runPreflight({ spec: purge(table, 'k'), db: t.db });
      expect(failed(report.checks), type).toEqual({});
    }
  });

  it('refuses a composite key whose columns are not a unique index in that order, naming the keys to choose', async () => {
    const table = `keys_order_${++n}`;
    await t.raw.query(
      `CREATE TABLE ${table} (a int NOT NULL, b int NOT NULL, c int NOT NULL, note varchar(10), PRIMARY KEY (a, b))`,
    );
    await t.raw.query(`CREATE UNIQUE INDEX ${table}_cb ON ${table} (c, b)`);
    await t.raw.query(`CREATE INDEX ${table}_ac ON ${table} (a, c)`);

    const reversed = failed((await runPreflight({ spec: purge(table, ['b', 'a']), db: t.db })).checks);
    expect(reversed['key-index']).toContain("name the columns as the index does (key: ['a', 'b'])");
    const notUnique = failed((await runPreflight({ spec: purge(table, ['a', 'c']), db: t.db })).checks);
    expect(notUnique['key-index']).toMatch(/on \(a, c\) is not unique/);
    expect(notUnique['key-index']).toContain('choose (a, b) (the primary key) or (c, b)');
    const none = failed((await runPreflight({ spec: purge(table, ['a', 'b', 'c']), db: t.db })).checks);
    expect(none['key-index']).toContain('no unique index is over exactly key (a, b, c)');
    expect(failed((await runPreflight({ spec: purge(table, ['c', 'b']), db: t.db })).checks)).toEqual({});
  });

  it('uses the primary key when the key is left out, and refuses a table without one', async () => {
    const keyed = `keys_pk_${++n}`;
    await t.raw.query(
      `CREATE TABLE ${keyed} (tenant_id int NOT NULL, id bigint NOT NULL, note varchar(10), PRIMARY KEY (tenant_id, id))`,
    );
    const report = await runPreflight({ spec: purge(keyed, undefined), db: t.db });
    expect(failed(report.checks)).toEqual({});
    expect(report.checks.find((c) => c.name === 'key-type')?.reason).toMatch(
      /^key: primary key \(tenant_id, id\)/,
    );

    const bare = `keys_nopk_${++n}`;
    await t.raw.query(`CREATE TABLE ${bare} (id bigint NOT NULL, note varchar(10))`);
    const refused = failed((await runPreflight({ spec: purge(bare, undefined), db: t.db })).checks);
    expect(refused['key-type']).toContain(
      'has no primary key, and the job names no key: set key to a column',
    );
  });

  it('refuses a nullable key even with preflight.requireIndex off, so no NULL-key row is skipped', async () => {
    const table = `keyed_${++n}`;
    await t.raw.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, ref bigint NULL, note varchar(10))`);
    const rows = Array.from({ length: 400 }, (_, i) => `(${i + 1}, ${i % 2 === 0 ? 'NULL' : i + 1}, 'x')`);
    await t.raw.query(`INSERT INTO ${table} (id, ref, note) VALUES ${rows.join(', ')}`);
    const spec = purge(table, 'ref', { preflight: { requireIndex: false } });

    const report = await runPreflight({ spec, db: t.db });

    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.name)).not.toContain('key-index');
    expect(failed(report.checks)['key-not-null']).toMatch(/key column ref is nullable: make it NOT NULL/);
    const indexed = await runPreflight({ spec: purge(table, 'ref'), db: t.db });
    expect(failed(indexed.checks)['key-not-null']).toMatch(/key column ref is nullable/);
  });
});
