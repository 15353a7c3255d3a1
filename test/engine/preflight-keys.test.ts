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

/** Key types the engine cannot yet carry losslessly, with a value of each for two rows. */
const REFUSED: Record<
  TestEngine,
  ReadonlyArray<{ type: string; reported: string; values: [string, string] }>
> = {
  postgres: [
    {
      type: 'timestamptz',
      reported: 'timestamp with time zone',
      values: ["'2026-01-01 00:00:00.123456+00'", "'2026-01-01 00:00:00.123457+00'"],
    },
    {
      type: 'timestamp',
      reported: 'timestamp without time zone',
      values: ["'2026-01-01 00:00:00.5'", "'2026-01-02'"],
    },
    { type: 'double precision', reported: 'double precision', values: ['0.1', '0.2'] },
    { type: 'real', reported: 'real', values: ['0.1', '0.2'] },
    { type: 'numeric(20,6)', reported: 'numeric', values: ['1.000001', '1.000002'] },
    { type: 'bytea', reported: 'bytea', values: ["'\\x01'", "'\\x02'"] },
    { type: 'key_mood', reported: 'key_mood', values: ["'sad'", "'happy'"] },
  ],
  mysql: [
    { type: 'datetime(6)', reported: 'datetime', values: ["'2026-01-01 00:00:00.123456'", "'2026-01-02'"] },
    { type: 'timestamp(3)', reported: 'timestamp', values: ["'2026-01-01 00:00:00.5'", "'2026-01-02'"] },
    { type: 'double', reported: 'double', values: ['0.1', '0.2'] },
    { type: 'decimal(20,6)', reported: 'decimal', values: ['1.000001', '1.000002'] },
    { type: 'varbinary(16)', reported: 'varbinary', values: ['0x01', '0x02'] },
    { type: "enum('sad','happy')", reported: 'enum', values: ["'sad'", "'happy'"] },
  ],
};

describe.each(ENGINES)('preflight of the job key on %s', (engine) => {
  const t = useEngineDatabase(engine);
  let n = 0;

  const purge = (table: string, key: string, extra: Record<string, unknown> = {}) =>
    defineJob({
      id: 'purge-by-key',
      owner: 'test',
      engine,
      database: 'primary',
      table,
      key,
      kind: 'delete',
      where: 'true',
      ...extra,
    });

  it.each(REFUSED[engine])(
    'refuses a $type key, naming the column, its type and what to do',
    async (kind) => {
      if (kind.type === 'key_mood') {
        await t.raw.query(
          "DO $$ BEGIN CREATE TYPE key_mood AS ENUM ('sad', 'happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        );
      }
      const table = `keyed_${++n}`;
      await t.raw.query(`CREATE TABLE ${table} (k ${kind.type} PRIMARY KEY, note varchar(10))`);
      await t.raw.query(`INSERT INTO ${table} (k) VALUES (${kind.values[0]}), (${kind.values[1]})`);
      const spec = purge(table, 'k');

      const report = await runPreflight({ spec, db: t.db });

      expect(report.ok).toBe(false);
      const reason = failed(report.checks)['key-type'];
      expect(reason).toContain(`key column k is of type ${kind.reported}`);
      expect(reason).toContain('choose an integer, text or uuid key');
      // A run that skipped preflight stops at once with the same reason, before changing anything.
      await expect(runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 1 })).rejects.toThrow(
        `key column k is of type ${kind.reported}`,
      );
      const [left] = await t.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`);
      expect(Number(left!.n)).toBe(2);
    },
  );

  it('accepts integer, text and uuid keys', async () => {
    const types =
      engine === 'postgres'
        ? ['bigint', 'integer', 'text', 'varchar(40)', 'uuid']
        : ['bigint', 'int', 'varchar(40)', 'char(36)'];
    for (const type of types) {
      const table = `keyed_${++n}`;
      await t.raw.query(`CREATE TABLE ${table} (k ${type} PRIMARY KEY, note varchar(10))`);
      const report = await runPreflight({ spec: purge(table, 'k'), db: t.db });
      expect(failed(report.checks), type).toEqual({});
    }
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
