import { describe, expect, it } from 'vitest';
import { ensureLedger } from '../../src/engine/ledger-once';
import { useEngineDatabase } from '../support/engine-database';
import { accountsBackfill, createAccounts } from '../support/fixtures';

// A Lambda container runs batches of many jobs on one cached Database. Each job's ledger lives
// beside its own table, so remembering one job's install must not skip another's.
describe('the ledger install a process remembers, on postgres', () => {
  const t = useEngineDatabase('postgres');

  it('installs the ledger of each job, also after another job on the same Database', async () => {
    for (const schema of ['s1', 's2']) {
      await t.raw.query(`CREATE SCHEMA ${schema}`);
      await createAccounts(t.raw, 'postgres', 10, `${schema}.accounts`);
    }
    await ensureLedger(t.db, accountsBackfill('postgres', 's1.accounts', 'first-job'));
    await ensureLedger(t.db, accountsBackfill('postgres', 's2.accounts', 'second-job'));

    const ledgers = await t.raw.query(
      "SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'lowtide_ledger' ORDER BY 1",
    );
    expect(ledgers.map((r: Record<string, unknown>) => r.s)).toEqual(['s1', 's2']);
  });
});
