import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demoJob from '../../examples/demo/backfill-demo-tier';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/cli/demo/embedded-postgres';
import { DEMO_TABLE, demoTargets, seedDemoTable, verifyDemoTable } from '../../src/cli/demo/seed';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { installLedger, readLedger, runBatch, runPreflight } from '../../src/engine';

const ROWS = 3000;

/**
 * What the engine needs from PostgreSQL, checked on PGlite behind the socket through the real pg
 * adapter: catalogs, EXPLAIN (FORMAT JSON), set_config, transaction-scoped advisory locks,
 * rollback, and whole batches with their ledger.
 */
describe('the embedded PostgreSQL (PGlite behind pglite-socket)', () => {
  let embedded: EmbeddedPostgres;
  let db: Database;

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres();
    db = openDatabase(embedded.url);
    await seedDemoTable(db, ROWS);
  });

  afterAll(async () => {
    await db?.close();
    await embedded?.stop();
  });

  it('answers the catalog and planner questions preflight asks', async () => {
    expect(await db.serverVersion()).toMatch(/^postgres \d+/);
    expect(await db.serverRole()).toMatchObject({ readOnly: false, replica: false });
    expect((await db.columns({ name: DEMO_TABLE })).map((c) => c.name)).toEqual([
      'id',
      'email',
      'lifetime_value',
      'tier',
      'backfill_count',
    ]);
    expect(await db.indexes({ name: DEMO_TABLE })).toEqual([
      { name: `${DEMO_TABLE}_pkey`, unique: true, primary: true, columns: ['id'] },
    ]);
    const plan = await db.explain(
      `SELECT id FROM ${DEMO_TABLE} WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE`,
      [10n, 100],
    );
    expect(plan.fullScan).toBe(false);
    expect(await db.estimateTableRows({ name: DEMO_TABLE })).toBe(ROWS);
    const report = await runPreflight({ spec: demoJob, db });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('runs a batch transaction with its timeouts and advisory lock, and rolls it back on a throw', async () => {
    const options = { lockName: 'lowtide:embedded-test', lockTimeoutMs: 1000, statementTimeoutMs: 5000 };
    const inside = await db.withBatchTransaction(options, async (tx) => {
      const { rows } = await tx.query<{ lock: string; statement: string; held: boolean }>(
        `SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement,
                EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS held`,
      );
      return rows[0];
    });
    expect(inside).toEqual({ held: false, value: { lock: '1s', statement: '5s', held: true } });

    await expect(
      db.withBatchTransaction(options, async (tx) => {
        await tx.query(`UPDATE ${DEMO_TABLE} SET tier = 'rolled-back' WHERE id = 1`);
        throw new Error('abandon the batch');
      }),
    ).rejects.toThrow('abandon the batch');
    const { rows } = await db.query<{ tier: string | null }>(`SELECT tier FROM ${DEMO_TABLE} WHERE id = 1`);
    expect(rows[0]!.tier).toBeNull();
    // The lock was transaction-scoped: nothing is left behind.
    const locks = await db.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'",
    );
    expect(Number(locks.rows[0]!.n)).toBe(0);
  });

  it('applies the demo job batch by batch with its ledger, exactly once', async () => {
    const spec = demoJob;
    await installLedger(db, spec);
    let outcome = await runBatch({ spec, db, lease: { token: 1 }, batchSize: 1000 });
    let batches = 0;
    while (outcome.status === 'applied') {
      batches++;
      outcome = await runBatch({ spec, db, lease: { token: 1 }, batchSize: 1000 });
    }
    expect(outcome.status).toBe('done');
    expect(batches).toBe(Math.ceil(demoTargets(ROWS) / 1000));
    expect(await readLedger(db, spec)).toMatchObject({ batchNo: batches, rowsDone: demoTargets(ROWS) });
    expect(await verifyDemoTable(db, ROWS)).toMatchObject({
      ok: true,
      changed: demoTargets(ROWS),
      changedTwice: 0,
    });
  });
});
