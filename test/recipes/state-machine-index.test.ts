import { beforeAll, describe, expect, it } from 'vitest';
import { createIndexConcurrently } from '../../src/recipes';
import type { RuntimeEvent } from '../../src/runtime/local/types';
import { CONNECTION, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';

const control = { database: CONNECTION, owner: 'test', limits: { lockTimeoutMs: 500 } };
const noteIndex = createIndexConcurrently({
  id: 'idx-note',
  table: 'accounts',
  name: 'accounts_note_idx',
  columns: ['note'],
});
const uniqueLtv = createIndexConcurrently({
  id: 'idx-ltv-uniq',
  table: 'accounts',
  name: 'accounts_ltv_uniq',
  columns: ['lifetime_value'],
  unique: true,
});

describe('recipe through the state machine: CREATE INDEX CONCURRENTLY on PostgreSQL', () => {
  const events: RuntimeEvent[] = [];

  const index = (name: string) =>
    e2e.db.raw.query<{ valid: boolean }>(
      'SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1',
      [name],
    );
  const applied = (executionName: string) =>
    events.flatMap((e) =>
      e.type === 'task-succeeded' && e.executionName === executionName && e.state === 'ApplyBatch'
        ? [e.decision ?? '?']
        : [],
    );

  const e2e = useE2e('postgres', [], {
    prepare: (db) => createAccounts(db.raw, 'postgres', 1_500),
    recipes: [
      { recipe: noteIndex, control },
      { recipe: uniqueLtv, control },
    ],
    msPerSecond: 10,
  });
  beforeAll(() => {
    e2e.rt.runtime.onEvent((e) => events.push(e));
  });

  it('builds a valid index as an execution, and a rerun execution finds nothing to do', async () => {
    const result = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
    expect(result.cause).toBeUndefined();
    expect(result.exit).toBe('Completed');
    expect(await index('accounts_note_idx')).toEqual([{ valid: true }]);
    expect(applied(result.executionName)).toEqual(['applied', 'done']);
    expect((await e2e.rt.runtime.store.getJob(noteIndex.id))?.status).toBe('completed');

    const rerun = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
    expect(rerun.exit).toBe('Completed');
    expect(applied(rerun.executionName)).toEqual(['done']);
  });

  it('a build failing on duplicates leaves no INVALID index, and the rerun after the fix builds a valid one', async () => {
    await e2e.db.raw.query('UPDATE accounts SET lifetime_value = 7 WHERE id IN (3, 6, 9)');
    const failed = await e2e.rt.runtime.run({ jobId: uniqueLtv.id, recipe: true });
    expect(failed.status).toBe('FAILED');
    expect(failed.cause).toMatch(/could not create unique index/);
    // Values are unique before the injection (1,500 rows over 2,000 distinct values).
    // The failed attempt's cleanup dropped the INVALID index CONCURRENTLY left behind.
    expect(await index('accounts_ltv_uniq')).toEqual([]);

    await e2e.db.raw.query('UPDATE accounts SET lifetime_value = -id WHERE id IN (6, 9)');
    const rerun = await e2e.rt.runtime.run({ jobId: uniqueLtv.id, recipe: true });
    expect(rerun.cause).toBeUndefined();
    expect(rerun.exit).toBe('Completed');
    expect(await index('accounts_ltv_uniq')).toEqual([{ valid: true }]);
    const invalid = await e2e.db.raw.query(
      "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'accounts'::regclass AND NOT i.indisvalid",
    );
    expect(invalid).toEqual([]);
  });

  it('drops an INVALID index left by a crashed build in its own step, then builds the index', async () => {
    await e2e.db.raw.query('DROP INDEX accounts_note_idx');
    await e2e.db.raw.query("UPDATE accounts SET note = 'dup' WHERE id IN (3, 6)");
    await expect(
      e2e.db.raw.query('CREATE UNIQUE INDEX CONCURRENTLY accounts_note_idx ON accounts (note)'),
    ).rejects.toThrow(/could not create unique index/);
    expect(await index('accounts_note_idx')).toEqual([{ valid: false }]);

    const result = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
    expect(result.exit).toBe('Completed');
    expect(applied(result.executionName)).toEqual(['applied', 'applied', 'done']);
    expect(await index('accounts_note_idx')).toEqual([{ valid: true }]);
  });
});
