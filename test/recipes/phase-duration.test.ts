import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import { tableBytes } from '../../src/ddl';
import { addNotNullColumn, createIndexConcurrently, mysqlAddIndex, runRecipe } from '../../src/recipes';
import { guardPhase } from '../../src/recipes/phase-guard';
import type { DdlPhase } from '../../src/recipes/types';
import { CONNECTION, FAST, useE2e } from '../e2e/support/harness';
import { ENGINES } from '../support/databases';
import { createAccounts } from '../support/fixtures';

const ROWS = 20_000;
const none = async () => undefined;

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

const indexRecipe = (engine: 'postgres' | 'mysql', id: string, name: string, statementTimeoutMs?: number) => {
  const input = {
    id,
    table: 'accounts',
    name,
    columns: ['lifetime_value'],
    ...(statementTimeoutMs ? { statementTimeoutMs } : {}),
  };
  return engine === 'postgres' ? createIndexConcurrently(input) : mysqlAddIndex(input);
};

describe.each(ENGINES)('a DDL phase that reads the whole table, estimated from its size on %s', (engine) => {
  const big = indexRecipe(engine, 'idx-ltv', 'accounts_ltv_idx');
  const control = { database: CONNECTION, owner: 'test', limits: { lockTimeoutMs: 1000 } };
  // ApplyBatch at 61 s leaves 1 s for one statement: this table's ~2 MB read twice at 1 MB/s cannot fit.
  const e2e = useE2e(engine, [], {
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
    recipes: [{ recipe: big, control }],
    settings: { ...FAST.settings, applyBatchTimeoutSeconds: 61, ddlScanMbPerSecond: 1 },
  });

  const indexNames = async () =>
    engine === 'postgres'
      ? e2e.db.raw.query("SELECT relname FROM pg_class WHERE relname = 'accounts_ltv_idx'")
      : e2e.db.raw.query(
          "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'accounts_ltv_idx'",
        );

  it("reads the table's size from the catalog, without a scan", async () => {
    const db = openDatabase(e2e.db.testDb.url);
    try {
      const bytes = await tableBytes(db, 'accounts');
      expect(bytes).toBeGreaterThan(1024 * 1024);
      expect(bytes).toBeLessThan(20 * 1024 * 1024);
      expect(await tableBytes(db, 'no_such_table')).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it('on Lambda, an index build the function cannot hold ends Blocked with the table size and what to do, and builds nothing', async () => {
    const result = await e2e.rt.runtime.run({ jobId: big.id, recipe: true });
    expect(result.exit).toBe('Blocked');
    const [reason] = blockedReasons(result.output);
    expect(reason).toMatch(
      /^(create-index|add-index): refused, it reads accounts \(\d+\.\d MB, about \d+ rows\) 2 times, about \d+ s at the assumed 1 MB\/s, more than the 1000 ms one statement may run here \(the ApplyBatch function's 61 s Lambda timeout less a 60 s margin/,
    );
    expect(reason).toContain(
      "run the recipe from a machine without Lambda's 15-minute limit through the local runtime",
    );
    expect(reason).toContain('raise the assumed throughput');
    expect(await indexNames()).toEqual([]);
  });

  it('runs where nothing limits it (runRecipe, the local runtime), and a throughput figure that fits lets the step run', async () => {
    const db = openDatabase(e2e.db.testDb.url);
    try {
      const options = {
        db,
        runJob: async () => ({ exit: 'Completed' }),
        consents: none,
        lockTimeoutMs: 1000,
      };
      // A timeout of its own that the table cannot fit: refused, naming the field to raise.
      const tight = indexRecipe(engine, 'idx-ltv-tight', 'accounts_ltv_idx', 1000);
      const refused = await runRecipe(tight, { ...options, scanMbPerSecond: 1 });
      expect(refused.status).toBe('blocked');
      expect(refused.reasons.join(' ')).toMatch(
        /more than its statement timeout of 1000 ms: raise the recipe's statementTimeoutMs/,
      );
      expect(await indexNames()).toHaveLength(0);
      // The default locally is 6 hours: the same table at the same throughput fits.
      const built = await runRecipe(big, { ...options, scanMbPerSecond: 1 });
      expect(built.status).toBe('completed');
      expect(await indexNames()).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});

describe('VALIDATE CONSTRAINT is estimated the same way (PostgreSQL)', () => {
  const rank = addNotNullColumn({
    id: 'accounts-rank',
    table: 'accounts',
    column: 'note',
    type: 'text',
    backfill: "''",
    job: { database: CONNECTION, owner: 'test', key: 'id' },
  });
  const validate = rank.phases.find((p): p is DdlPhase => p.name === 'validate-check')!;
  const e2e = useE2e('postgres', [], { prepare: (db) => createAccounts(db.raw, 'postgres', ROWS) });

  it('reads the table once: refused at 1 MB/s within 1 s, allowed at 100 MB/s', async () => {
    const db = openDatabase(e2e.db.testDb.url);
    try {
      const ceiling = { ms: 1000, source: 'a test ceiling', instead: 'run it elsewhere' };
      const slow = await guardPhase(db, validate, none, { recipeId: rank.id, ceiling, scanMbPerSecond: 1 });
      expect(slow).toEqual([
        expect.stringMatching(
          /^validate-check: refused, it reads accounts \(\d\.\d MB, about \d+ rows\) once, about \d s at the assumed 1 MB\/s, more than the 1000 ms one statement may run here \(a test ceiling\): run it elsewhere/,
        ),
      ]);
      expect(
        await guardPhase(db, validate, none, { recipeId: rank.id, ceiling, scanMbPerSecond: 100 }),
      ).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe('a table-sized phase reached mid-run on Lambda (PostgreSQL)', () => {
  const rank = addNotNullColumn({
    id: 'accounts-rank',
    table: 'accounts',
    column: 'rank',
    type: 'integer',
    backfill: '(id % 7)::integer',
    job: {
      database: CONNECTION,
      owner: 'test',
      key: 'id',
      batch: { size: 5000, min: 1000, max: 10000, targetMs: 500 },
      health: { pauseBetweenBatchesMs: 0 },
    },
  });
  // 1 s per statement at 1 MB/s: the backfill's batches fit, VALIDATE's read of ~1.4 MB does not.
  const e2e = useE2e('postgres', [], {
    prepare: (db) => createAccounts(db.raw, 'postgres', ROWS),
    recipes: [{ recipe: rank }],
    settings: { ...FAST.settings, applyBatchTimeoutSeconds: 61, ddlScanMbPerSecond: 1 },
  });
  const state = () =>
    e2e.db.raw.query<{ not_null: boolean; validated: boolean | null }>(
      `SELECT a.attnotnull AS not_null,
              (SELECT convalidated FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND conname = 'rank_not_null') AS validated
         FROM pg_attribute a WHERE a.attrelid = 'accounts'::regclass AND a.attname = 'rank'`,
    );

  it('fails the run at once with the reason instead of holding for a consent, and a new execution ends Blocked with it', async () => {
    const failed = await e2e.rt.runtime.run({ jobId: rank.id, recipe: true });
    expect(failed.status).toBe('FAILED');
    expect(failed.cause).toMatch(
      /recipe accounts-rank: validate-check: refused, it reads accounts \(\d\.\d MB, about \d+ rows\) once, about \d s at the assumed 1 MB\/s, more than the 1000 ms one statement may run here/,
    );
    // Everything before VALIDATE happened; VALIDATE did not start.
    expect(await state()).toEqual([{ not_null: false, validated: false }]);
    expect(
      await e2e.db.raw.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts WHERE rank IS NULL'),
    ).toEqual([{ n: '0' }]);

    const blocked = await e2e.rt.runtime.run({ jobId: rank.id, recipe: true });
    expect(blocked.exit).toBe('Blocked');
    expect(blockedReasons(blocked.output)).toEqual([
      expect.stringMatching(/^validate-check: refused, it reads accounts/),
    ]);
  });
});
