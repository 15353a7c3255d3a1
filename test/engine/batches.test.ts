import { describe, expect, it } from 'vitest';
import { installLedger, readLedger } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { ENGINES } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import { accountsBackfill, backfillTargets, createAccounts } from '../support/fixtures';

const ROWS = 50_000;

describe.each(ENGINES)('batches on %s', (engine) => {
  const t = useEngineDatabase(engine);

  it('backfills 50,000 rows in batches, each matching row exactly once, others untouched', async () => {
    await createAccounts(t.raw, engine, ROWS);
    const spec = accountsBackfill(engine, 'accounts', 'backfill-tier', {
      batch: { size: 1000, min: 200, max: 8000, targetMs: 200 },
      verify: { invariant: 'tier IS NOT NULL' },
    });
    await installLedger(t.db, spec);
    const result = await runUntilDone(spec, t.db);

    const targets = backfillTargets(ROWS);
    expect(result.rows).toBe(targets);
    expect(result.batches).toBeGreaterThan(5);
    const counts = await t.raw.query<{ applied: unknown; n: unknown }>(
      'SELECT applied_count AS applied, count(*) AS n FROM accounts GROUP BY applied_count ORDER BY applied_count',
    );
    expect(counts.map((r) => [Number(r.applied), Number(r.n)])).toEqual([
      [0, ROWS - targets],
      [1, targets],
    ]);
    const untouched = await t.raw.query<{ n: unknown }>(
      "SELECT count(*) AS n FROM accounts WHERE applied_count = 0 AND tier = 'legacy'",
    );
    expect(Number(untouched[0]!.n)).toBe(ROWS - targets);
    const gold = await t.raw.query<{ n: unknown }>(
      "SELECT count(*) AS n FROM accounts WHERE tier = 'gold' AND lifetime_value <= 1000",
    );
    expect(Number(gold[0]!.n)).toBe(0);

    const head = await readLedger(t.db, spec);
    expect(head).toMatchObject({ batchNo: result.batches, rowsDone: targets });
    const maxTarget = await t.raw.query<{ k: unknown }>(
      'SELECT max(id) AS k FROM accounts WHERE applied_count = 1',
    );
    expect(head!.lastKey).toBe(String(maxTarget[0]!.k));
  });

  it('walks string (UUID) keys and integer keys beyond 2^53 exactly', async () => {
    const uuidType = engine === 'postgres' ? 'uuid' : 'char(36)';
    await t.raw.query(`CREATE TABLE tokens (id ${uuidType} PRIMARY KEY, done int NOT NULL DEFAULT 0)`);
    const ids = Array.from({ length: 1500 }, (_, i) => {
      const hex = (i * 2654435761).toString(16).padStart(12, '0').slice(-12);
      return `00000000-0000-4000-8000-${hex}`;
    });
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const values = chunk.map((_, j) => (engine === 'postgres' ? `($${j + 1})` : '(?)')).join(', ');
      await t.raw.query(`INSERT INTO tokens (id) VALUES ${values}`, chunk);
    }
    await t.raw.query('CREATE TABLE big_ids (id bigint PRIMARY KEY, done int NOT NULL DEFAULT 0)');
    const base = 2n ** 53n;
    const bigIds = Array.from({ length: 700 }, (_, i) => (base + BigInt(i)).toString());
    const values = bigIds.map((_, j) => (engine === 'postgres' ? `($${j + 1})` : '(?)')).join(', ');
    await t.raw.query(`INSERT INTO big_ids (id) VALUES ${values}`, bigIds);

    for (const table of ['tokens', 'big_ids']) {
      const spec = defineJob({
        id: `mark-${table.replace('_', '-')}`,
        owner: 'test',
        engine,
        database: 'primary',
        table,
        key: 'id',
        kind: 'update',
        where: 'done = 0',
        set: { done: 'done + 1' },
        batch: { size: 100, min: 100, max: 100 },
      });
      await installLedger(t.db, spec);
      const result = await runUntilDone(spec, t.db);
      const expected = table === 'tokens' ? ids.length : bigIds.length;
      expect(result.rows).toBe(expected);
      const done = await t.raw.query<{ done: unknown; n: unknown }>(
        `SELECT done, count(*) AS n FROM ${table} GROUP BY done`,
      );
      expect(done.map((r) => [Number(r.done), Number(r.n)])).toEqual([[1, expected]]);
    }
  });
});
