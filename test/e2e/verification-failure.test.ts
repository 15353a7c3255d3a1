import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { type E2eDatabase, type E2eRuntime, openE2eDatabase, startRuntime } from './support/harness';

const ROWS = 2_000;

describe.each(ENGINES)('a job whose verification fails on %s', (engine) => {
  let db: E2eDatabase;
  let rt: E2eRuntime;
  // Wrong on purpose: accounts with lifetime_value above 1000 become 'gold', so the first batch that
  // reaches them (n > 1000, ids above 3000) breaks the invariant inside its own transaction.
  const job = backfillJob(engine, {
    verify: { invariant: "tier IN ('standard', 'legacy')" },
    batch: { size: 100, min: 100, max: 100, targetMs: 200 },
  });

  beforeAll(async () => {
    db = await openE2eDatabase(engine);
    await createAccounts(db.raw, engine, ROWS);
    rt = await startRuntime(db, [job]);
  });

  afterAll(async () => {
    await rt?.close();
    await db?.close();
  });

  it('fails the execution with the reason, releases the lease and rolls the failing batch back', async () => {
    const result = await rt.runtime.run({ jobId: job.id });
    expect(result.status).toBe('FAILED');
    expect(result.exit).toBe('Failed');
    expect(result.error).toBe('BatchVerificationError');
    expect(result.cause).toMatch(/invariant \(tier IN \('standard', 'legacy'\)\) does not hold/);

    const state = await rt.runtime.store.getJob(job.id);
    expect(state?.status).toBe('failed');
    expect(state?.statusReason).toMatch(/BatchVerificationError: .*does not hold/);
    expect(state?.lease).toBeUndefined();
    expect((await rt.runtime.store.listRuns(job.id))[0]).toMatchObject({ outcome: 'failed' });

    const ledger = await ledgerRows(db.raw, job.id);
    expect(ledger.length).toBeGreaterThan(0);
    const committed = Number(ledger.at(-1)!.rows_done);
    const lastKey = Number(ledger.at(-1)!.last_key);
    // Only committed batches show: nothing after the ledger's last key changed.
    const after = await db.raw.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM accounts WHERE id > ${lastKey} AND applied_count <> 0`,
    );
    expect(Number(after[0]!.n)).toBe(0);
    expect((await appliedCounts(db.raw)).byCount[1]).toBe(committed);
    const gold = await db.raw.query<{ n: unknown }>("SELECT count(*) AS n FROM accounts WHERE tier = 'gold'");
    expect(Number(gold[0]!.n)).toBe(0);
  });
});
