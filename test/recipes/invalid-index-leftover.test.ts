import { describe, expect, it } from 'vitest';
import { createIndexConcurrently } from '../../src/recipes';
import type { RuntimeLogger } from '../../src/runtime/deps';
import { CONNECTION, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';

/** The warnings the runtime logs, by message. */
const warnings: string[] = [];
const logger: RuntimeLogger = {
  debug: () => {},
  info: () => {},
  warn: (message) => warnings.push(message),
  error: () => {},
};

const noteIndex = createIndexConcurrently({
  id: 'idx-note',
  table: 'accounts',
  name: 'accounts_note_idx',
  columns: ['note'],
});
const NOTICE = /^dropped the INVALID index accounts_note_idx that an earlier build left behind/;

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

describe('CREATE INDEX CONCURRENTLY after a cut-off run: the INVALID index it left (PostgreSQL)', () => {
  const e2e = useE2e('postgres', [], {
    prepare: (db) => createAccounts(db.raw, 'postgres', 2_000),
    recipes: [{ recipe: noteIndex, control: { database: CONNECTION, owner: 'test' } }],
    logger,
  });
  const index = () =>
    e2e.db.raw.query<{ valid: boolean }>(
      'SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1',
      ['accounts_note_idx'],
    );

  it('drops the leftover INVALID index of its own name with DROP INDEX CONCURRENTLY, says so, and builds it', async () => {
    // What a build cut off mid-way leaves: the catalog entry, marked INVALID (here from a unique
    // build that fails on duplicates, as a cancelled one fails).
    await e2e.db.raw.query("UPDATE accounts SET note = 'dup' WHERE id IN (3, 6)");
    await expect(
      e2e.db.raw.query('CREATE UNIQUE INDEX CONCURRENTLY accounts_note_idx ON accounts (note)'),
    ).rejects.toThrow(/could not create unique index/);
    expect(await index()).toEqual([{ valid: false }]);

    warnings.length = 0;
    const result = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
    expect(result.cause).toBeUndefined();
    expect(result.exit).toBe('Completed');
    expect(warnings.filter((w) => NOTICE.test(w))).toHaveLength(1);
    expect(await index()).toEqual([{ valid: true }]);
  });

  it('refuses while an earlier build still runs on the server, naming its process; drops what the cancelled build left', async () => {
    await e2e.db.raw.query('DROP INDEX accounts_note_idx');
    const writer = await connectRaw(e2e.db.testDb);
    const builder = await connectRaw(e2e.db.testDb);
    try {
      // A build whose client went away: it waits for an open writer, and its index is INVALID meanwhile.
      await writer.query('BEGIN');
      await writer.query('UPDATE accounts SET note = note WHERE id = 3');
      const pid = builder.id;
      const build = builder.query('CREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note)');
      const settled = build.then(
        () => 'built',
        (error: Error) => error.message,
      );
      await waitForBuildToWait(pid);
      expect(await index()).toEqual([{ valid: false }]);

      const blocked = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
      expect(blocked.exit).toBe('Blocked');
      expect(blockedReasons(blocked.output)).toEqual([
        `drop-invalid-index: an earlier build of index accounts_note_idx is still running in server process ${pid} (its client went away: a run cut off at its timeout, or killed): wait for it to end, or cancel it with SELECT pg_cancel_backend(${pid}), then run the recipe again (it drops what a cancelled build leaves)`,
      ]);

      await e2e.db.raw.query('SELECT pg_cancel_backend($1)', [pid]);
      expect(await settled).toMatch(/canceling statement due to user request/);
      await writer.query('ROLLBACK');
      expect(await index()).toEqual([{ valid: false }]);

      warnings.length = 0;
      const rerun = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
      expect(rerun.exit).toBe('Completed');
      expect(warnings.filter((w) => NOTICE.test(w))).toHaveLength(1);
      expect(await index()).toEqual([{ valid: true }]);
    } finally {
      await writer.close();
      await builder.close();
    }
  });

  /** Until the build shows in pg_stat_progress_create_index, waiting for the writer (an event, polled). */
  async function waitForBuildToWait(pid: number): Promise<void> {
    for (;;) {
      const rows = await e2e.db.raw.query<{ waiting: boolean }>(
        `SELECT p.index_relid <> 0 AND a.wait_event_type = 'Lock' AS waiting
           FROM pg_stat_progress_create_index p JOIN pg_stat_activity a ON a.pid = p.pid WHERE p.pid = $1`,
        [pid],
      );
      if (rows[0]?.waiting) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
});
