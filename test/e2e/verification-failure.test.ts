import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 2_000;

describe.each(ENGINES)('a job whose verification fails on %s', (engine) => {
  // Wrong on purpose: accounts with lifetime_value above 1000 become 'gold', so the first batch that
  // reaches them (n > 1000, ids above 3000) breaks the invariant inside its own transaction.
  const job = backfillJob(engine, {
    verify: { invariant: "tier IN ('standard', 'legacy')" },
    batch: { size: 100, min: 100, max: 100, targetMs: 200 },
  });

  const e2e = useE2e(engine, [job], {
    prepare: (db) => createAccounts(db.raw, engine, ROWS),
  });

  it('fails the execution with the reason, releases the lease and rolls the failing batch back', async () => {
    const result = await e2e.rt.runtime.run({ jobId: job.id });
    expect(result.status).toBe('FAILED');
    expect(result.exit).toBe('Failed');
    expect(result.error).toBe('BatchVerificationError');
    expect(result.cause).toMatch(/invariant \(tier IN \('standard', 'legacy'\)\) does not hold/);

    const state = await e2e.rt.runtime.store.getJob(job.id);
    expect(state?.status).toBe('failed');
    expect(state?.statusReason).toMatch(/BatchVerificationError: .*does not hold/);
    expect(state?.lease).toBeUndefined();
    expect((await e2e.rt.runtime.store.listRuns(job.id))[0]).toMatchObject({ outcome: 'failed' });

    const ledger = await ledgerRows(e2e.db.raw, job.id);
    expect(ledger.length).toBeGreaterThan(0);
    const committed = Number(ledger.at(-1)!.rows_done);
    const lastKey = Number(ledger.at(-1)!.last_key);
    // Only committed batches show: nothing after the ledger's last key changed.
    const after = await e2e.db.raw.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM accounts WHERE id > ${lastKey} AND applied_count <> 0`,
    );
    expect(Number(after[0]!.n)).toBe(0);
    expect((await appliedCounts(e2e.db.raw)).byCount[1]).toBe(committed);
    const gold = await e2e.db.raw.query<{ n: unknown }>(
      "SELECT count(*) AS n FROM accounts WHERE tier = 'gold'",
    );
    expect(Number(gold[0]!.n)).toBe(0);
  });
});
