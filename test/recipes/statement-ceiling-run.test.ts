import { describe, expect, it } from 'vitest';
import { createIndexConcurrently } from '../../src/recipes';
import type { RuntimeEvent } from '../../src/runtime/local/types';
import { CONNECTION, FAST, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';
import { connectRaw } from '../support/raw-sql';

const noteIndex = createIndexConcurrently({
  id: 'idx-note',
  table: 'accounts',
  name: 'accounts_note_idx',
  columns: ['note'],
});

describe('on Lambda, a recipe step is ended by the database before the function times out (PostgreSQL)', () => {
  const events: RuntimeEvent[] = [];
  // ApplyBatch at 61 s leaves the step 1 s for its statement; a lock timeout above it shows which one fired.
  const e2e = useE2e('postgres', [], {
    prepare: (db) => createAccounts(db.raw, 'postgres', 1_000),
    recipes: [
      {
        recipe: noteIndex,
        control: {
          database: CONNECTION,
          owner: 'test',
          limits: { lockTimeoutMs: 3_000, statementTimeoutMs: 5_000, retries: 1 },
        },
      },
    ],
    settings: { ...FAST.settings, applyBatchTimeoutSeconds: 61, ddlScanMbPerSecond: 1_000 },
    onEvent: (event) => events.push(event),
  });
  const applied = (executionName: string) =>
    events.flatMap((e) =>
      e.type === 'task-succeeded' && e.executionName === executionName && e.state === 'ApplyBatch'
        ? [e.decision ?? '?']
        : [],
    );
  const index = () =>
    e2e.db.raw.query<{ valid: boolean }>(
      'SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1',
      ['accounts_note_idx'],
    );

  it("a build held up past the step's ceiling is cancelled by its statement timeout; the next run drops what it left and builds", async () => {
    const writer = await connectRaw(e2e.db.testDb);
    try {
      // An open writer: CREATE INDEX CONCURRENTLY waits for it, so the build cannot finish.
      await writer.query('BEGIN');
      await writer.query('UPDATE accounts SET note = note WHERE id = 3');
      const result = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
      expect(result.exit).toBe('Paused');
      const failures = events.flatMap((e) =>
        e.type === 'task-failed' && e.state === 'ApplyBatch' ? [`${e.error}: ${e.message}`] : [],
      );
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures)
        expect(failure).toMatch(/57014: canceling statement due to statement timeout/);
      // The database ended the build (nothing is still building it); its cleanup cannot drop the
      // INVALID index while the writer is open (DROP INDEX CONCURRENTLY waits for it too).
      expect(await e2e.db.raw.query('SELECT pid FROM pg_stat_progress_create_index')).toEqual([]);
      expect(await index()).toEqual([{ valid: false }]);
    } finally {
      await writer.query('ROLLBACK');
      await writer.close();
    }
    // The attempts' statement timeouts paused the recipe, as lock timeouts do: an operator resumes it.
    expect((await e2e.rt.runtime.store.getJob(noteIndex.id))?.status).toBe('paused');
    await e2e.rt.runtime.store.clearPause(noteIndex.id, 'operator');
    const rerun = await e2e.rt.runtime.run({ jobId: noteIndex.id, recipe: true });
    expect(rerun.exit).toBe('Completed');
    expect(applied(rerun.executionName)).toEqual(['applied', 'applied', 'done']);
    expect(await index()).toEqual([{ valid: true }]);
  });
});
