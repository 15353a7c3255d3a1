import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import { dryRunBatch, installLedger, readLedger, runBatch } from '../../src/engine';
import { batchTransactionOptions } from '../../src/engine/batch-transaction';
import { ledgerExists } from '../../src/engine/ledger';
import { tableChecksum } from '../support/checksum';
import { ENGINES } from '../support/databases';
import { useEngineDatabase, useFreshAccounts } from '../support/engine-database';
import { accountsBackfill } from '../support/fixtures';

const ROWS = 3000;

describe.each(ENGINES)('the dry-run batch on %s', (engine) => {
  const t = useEngineDatabase(engine);
  const accounts = useFreshAccounts(t, engine, ROWS);

  /** Whether another session can take the job's batch lock now, without waiting. */
  async function lockIsFree(spec: ReturnType<typeof accountsBackfill>): Promise<boolean> {
    const other = openDatabase(t.testDb.url, { poolSize: 1 });
    try {
      const taken = await other.withBatchTransaction(
        await batchTransactionOptions(other, spec),
        async () => true,
      );
      return !taken.held;
    } finally {
      await other.close();
    }
  }

  it('takes the next batch, changes and verifies it, then rolls it all back: rows, ledger and lock untouched', async () => {
    const spec = accountsBackfill(engine, accounts.table, 'dry-run-change');
    await installLedger(t.db, spec);
    expect(await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 500 })).toMatchObject({
      status: 'applied',
      batchNo: 1,
    });
    const rowsBefore = await tableChecksum(t.raw, engine, accounts.table);
    const headBefore = await readLedger(t.db, spec);

    const outcome = await dryRunBatch({ spec, db: t.db, batchSize: 500 });

    // The batch after the ledger's last key: what the next run's first batch would be.
    expect(outcome).toMatchObject({ status: 'changed', selected: 500, affected: 500, verdict: { ok: true } });
    if (outcome.status !== 'changed') throw new Error('unreachable');
    expect(Number(outcome.firstKey)).toBeGreaterThan(Number(headBefore!.lastKey));
    expect(outcome.durationMs).toBeGreaterThan(0);
    expect(await tableChecksum(t.raw, engine, accounts.table)).toBe(rowsBefore);
    expect(await readLedger(t.db, spec)).toEqual(headBefore);
    expect(await lockIsFree(spec)).toBe(true);

    // The real batch that follows is the one the dry run showed, numbered as if it never ran.
    expect(await runBatch({ spec, db: t.db, lease: { token: 1 }, batchSize: 500 })).toMatchObject({
      status: 'applied',
      batchNo: 2,
      firstKey: outcome.firstKey,
      lastKey: outcome.lastKey,
    });
  });

  it('reports a failed verification without failing, and still commits nothing', async () => {
    const spec = accountsBackfill(engine, accounts.table, 'dry-run-verify', {
      verify: { invariant: 'tier IS NULL' },
    });
    await installLedger(t.db, spec);
    const rowsBefore = await tableChecksum(t.raw, engine, accounts.table);

    const outcome = await dryRunBatch({ spec, db: t.db, batchSize: 200 });

    expect(outcome).toMatchObject({ status: 'changed', verdict: { ok: false } });
    expect(await tableChecksum(t.raw, engine, accounts.table)).toBe(rowsBefore);
    expect(await readLedger(t.db, spec)).toBeUndefined();
    expect(await lockIsFree(spec)).toBe(true);
  });

  it('creates no ledger for a job that has none, and times the selection alone when asked', async () => {
    // A ledger table of its own: no other test of this file has created it.
    const spec = accountsBackfill(engine, accounts.table, 'dry-run-fresh', { ledgerTable: 'dry_run_ledger' });
    const rowsBefore = await tableChecksum(t.raw, engine, accounts.table);

    expect(await dryRunBatch({ spec, db: t.db, batchSize: 300 })).toMatchObject({
      status: 'changed',
      selected: 300,
    });
    expect(await dryRunBatch({ spec, db: t.db, batchSize: 300, mode: 'select' })).toMatchObject({
      status: 'selected',
      selected: 300,
    });

    expect(await ledgerExists(t.db, spec)).toBe(false);
    expect(await tableChecksum(t.raw, engine, accounts.table)).toBe(rowsBefore);
    expect(await lockIsFree(spec)).toBe(true);
  });

  it('is held, doing nothing, while another session is inside a batch of the job', async () => {
    const spec = accountsBackfill(engine, accounts.table, 'dry-run-held');
    const other = openDatabase(t.testDb.url, { poolSize: 1 });
    try {
      const inside = await other.withBatchTransaction(await batchTransactionOptions(other, spec), () =>
        dryRunBatch({ spec, db: t.db, batchSize: 100 }),
      );
      expect(inside).toEqual({ held: false, value: { status: 'held' } });
    } finally {
      await other.close();
    }
    expect(await lockIsFree(spec)).toBe(true);
  });

  it('finds nothing to do where the next run would find nothing', async () => {
    const spec = accountsBackfill(engine, accounts.table, 'dry-run-empty', { where: "tier = 'none-such'" });
    expect(await dryRunBatch({ spec, db: t.db, batchSize: 100 })).toEqual({ status: 'empty' });
    expect(await dryRunBatch({ spec, db: t.db, batchSize: 100, mode: 'select' })).toEqual({
      status: 'empty',
    });
  });
});
