import { describe, expect, it } from 'vitest';
import { mysqlAddIndex } from '../../src/recipes';
import type { DdlPhase } from '../../src/recipes/types';
import { CONNECTION, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';

const ltvIndex = mysqlAddIndex({
  id: 'idx-ltv',
  table: 'accounts',
  name: 'accounts_ltv_idx',
  columns: ['lifetime_value'],
});
const ALTER = (ltvIndex.phases[0] as DdlPhase).statements[0]!;

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

describe('MySQL in-place ADD INDEX after a cut-off run: the ALTER still running on the server (MariaDB)', () => {
  const e2e = useE2e('mysql', [], {
    prepare: (db) => createAccounts(db.raw, 'mysql', 2_000),
    recipes: [
      { recipe: ltvIndex, control: { database: CONNECTION, owner: 'test', limits: { lockTimeoutMs: 1000 } } },
    ],
  });
  const indexed = async () =>
    (
      await e2e.db.raw.query(
        "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'accounts_ltv_idx'",
      )
    ).length > 0;

  it('refuses while the earlier ALTER runs, naming its connection and KILL QUERY; builds once it is gone', async () => {
    const reader = await connectRaw(e2e.db.testDb);
    const builder = await connectRaw(e2e.db.testDb);
    try {
      // An ALTER whose client went away: it waits on the metadata lock an open reader holds.
      await reader.query('BEGIN');
      await reader.query('SELECT id FROM accounts LIMIT 1');
      const settled = builder.query(ALTER).then(
        () => 'built',
        (error: Error) => error.message,
      );
      await waitForMetadataLockWait(builder.id);

      const blocked = await e2e.rt.runtime.run({ jobId: ltvIndex.id, recipe: true });
      expect(blocked.exit).toBe('Blocked');
      expect(blockedReasons(blocked.output)).toEqual([
        `add-index: an earlier build of index accounts_ltv_idx is still running in connection ${builder.id} (its client went away: a run cut off at its timeout, or killed): wait for it to end, or stop it with KILL QUERY ${builder.id}, then run the recipe again`,
      ]);

      await e2e.db.raw.query(`KILL QUERY ${builder.id}`);
      expect(await settled).toMatch(/interrupted/i);
      await reader.query('COMMIT');
      expect(await indexed()).toBe(false);
    } finally {
      await reader.close();
      await builder.close();
    }
    const rerun = await e2e.rt.runtime.run({ jobId: ltvIndex.id, recipe: true });
    expect(rerun.exit).toBe('Completed');
    expect(await indexed()).toBe(true);
  });

  /** Until the connection waits on a metadata lock (an event, polled). */
  async function waitForMetadataLockWait(id: number): Promise<void> {
    for (;;) {
      const rows = await e2e.db.raw.query<{ state: string }>(
        'SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?',
        [id],
      );
      if (/metadata lock/i.test(rows[0]?.state ?? '')) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
});
