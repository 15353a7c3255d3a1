import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql';
import { DbError, type Tx } from '../../src/db/types';
import { installLedger, readLedger, runBatch, StaleLeaseError } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { ENGINES } from '../support/databases';
import { interceptBatchQueries, runUntilDone } from '../support/engine';
import { useEngineDatabase, useFreshAccounts } from '../support/engine-database';
import { accountsBackfill, backfillTargets } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';

const ROWS = 3000;

describe.each(ENGINES)('batch safety on %s', (engine) => {
  const t = useEngineDatabase(engine, 3);

  const accounts = useFreshAccounts(t, engine, ROWS);

  const backfill = (id: string, overrides: Parameters<typeof accountsBackfill>[3] = {}) =>
    accountsBackfill(engine, accounts.table, id, overrides);

  async function appliedRows(): Promise<number> {
    return Number(
      (
        await t.raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM ${accounts.table} WHERE applied_count > 0`,
        )
      )[0]!.n,
    );
  }

  it('fails fast on a foreground row lock, commits nothing, and leaves the foreground transaction unharmed', async () => {
    const spec = backfill('lock-timeout', { limits: { lockTimeoutMs: 1000, statementTimeoutMs: 5000 } });
    await installLedger(t.db, spec);
    const app = await connectRaw(t.testDb);
    try {
      await app.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await app.query(`SELECT * FROM ${accounts.table} WHERE id = 6 FOR UPDATE`); // n = 2: inside the first batch
      const started = performance.now();
      const error = await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 500 }).catch(
        (e: unknown) => e,
      );
      const elapsed = performance.now() - started;

      expect(error).toBeInstanceOf(DbError);
      expect((error as DbError).kind).toBe('lock-timeout');
      expect(elapsed).toBeLessThan(3 * spec.limits.lockTimeoutMs);
      expect(await appliedRows()).toBe(0);
      expect(await readLedger(t.db, spec)).toBeUndefined();

      await app.query(`UPDATE ${accounts.table} SET note = 'foreground' WHERE id = 6`);
      await app.query('COMMIT');
    } finally {
      await app.close();
    }
    const row = await t.raw.query<{ note: string }>(`SELECT note FROM ${accounts.table} WHERE id = 6`);
    expect(row[0]!.note).toBe('foreground');
  });

  it('a second worker on the same job does not wait: it reports held', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const slow = defineJob({
      id: 'two-workers',
      owner: 'test',
      engine,
      database: 'primary',
      table: accounts.table,
      key: 'id',
      kind: 'custom',
      async selectBatch(tx: Tx, after, limit) {
        const stmt = sql(tx.dialect, (b) => {
          const from = after === null ? '' : `WHERE id > ${b.val(BigInt(after))} `;
          return `SELECT id FROM ${b.id(accounts.table)} ${from}ORDER BY id LIMIT ${b.val(limit)} FOR UPDATE`;
        });
        return (await tx.query<{ id: unknown }>(stmt.text, stmt.values)).rows.map((r) => String(r.id));
      },
      async applyBatch(tx: Tx, keys) {
        entered();
        await gate;
        const stmt = sql(
          tx.dialect,
          (b) =>
            `UPDATE ${b.id(accounts.table)} SET applied_count = applied_count + 1 WHERE id IN (${b.list(keys.map(BigInt))})`,
        );
        return (await tx.query(stmt.text, stmt.values)).rowCount;
      },
    });
    await installLedger(t.db, slow);
    const first = runBatch({ spec: slow, db: t.db, lease: { token: 1 }, batchSize: 100 });
    await inside;

    const started = performance.now();
    const second = await runBatch({ spec: slow, db: t.db, lease: { token: 1 }, batchSize: 100 });
    expect(second).toEqual({ status: 'held' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await appliedRows()).toBe(0);

    release();
    expect(await first).toMatchObject({ status: 'applied', batchNo: 1, selected: 100, affected: 100 });
    expect(await appliedRows()).toBe(100);
  });

  it('rejects and rolls back a batch carrying a stale lease token', async () => {
    const spec = backfill('stale-token');
    await installLedger(t.db, spec);
    expect(await runBatch({ spec, db: t.db, lease: { token: 5 }, batchSize: 500 })).toMatchObject({
      status: 'applied',
      batchNo: 1,
    });
    const before = await appliedRows();

    const error = await runBatch({ spec, db: t.db, lease: { token: 4 }, batchSize: 500 }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(StaleLeaseError);
    expect((error as StaleLeaseError).newestToken).toBe(5);
    expect(await appliedRows()).toBe(before);
    expect(await readLedger(t.db, spec)).toMatchObject({ batchNo: 1, leaseToken: 5 });
    // The newer owner goes on.
    expect(await runBatch({ spec, db: t.db, lease: { token: 6 }, batchSize: 500 })).toMatchObject({
      status: 'applied',
      batchNo: 2,
    });
  });

  it('a connection killed mid-batch applies nothing; the next batch continues from the ledger', async () => {
    const spec = backfill('killed-mid-batch');
    await installLedger(t.db, spec);
    await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 500 }); // batch 1 commits normally
    const afterFirst = await appliedRows();
    expect(afterFirst).toBeGreaterThan(0);

    // The kill lands after the UPDATE ran, just before the ledger row is written.
    const killer = await connectRaw(t.testDb);
    const killing = interceptBatchQueries(t.db, async (tx, text) => {
      if (text.startsWith('INSERT INTO') && text.includes(spec.ledgerTable)) {
        if (engine === 'postgres') await killer.query('SELECT pg_terminate_backend($1)', [tx.connectionId]);
        else await killer.query(`KILL ${Number(tx.connectionId)}`);
      }
    });
    try {
      const error = await runBatch({ spec, db: killing, lease: { token: 1 }, batchSize: 500 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DbError);
      expect((error as DbError).kind).toBe('connection');
    } finally {
      await killer.close();
    }
    expect(await appliedRows()).toBe(afterFirst);
    expect(await readLedger(t.db, spec)).toMatchObject({ batchNo: 1 });

    const rest = await runUntilDone(spec, t.db);
    expect(rest.rows + afterFirst).toBe(backfillTargets(ROWS));
    const twice = await t.raw.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM ${accounts.table} WHERE applied_count > 1`,
    );
    expect(Number(twice[0]!.n)).toBe(0);
    expect(await appliedRows()).toBe(backfillTargets(ROWS));
  });
});
