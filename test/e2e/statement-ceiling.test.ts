import { describe, expect, it } from 'vitest';
import { createIndexConcurrently, mysqlAddIndex } from '../../src/recipes';
import { ENGINES } from '../support/databases';
import { createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob } from './support/accounts';
import { CONNECTION, FAST, useE2e } from './support/harness';

const ROWS = 300;

function blockedReasons(output: Record<string, unknown> | undefined): string[] {
  return (output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
}

/** As the Lambda runtime sets it: every statement must fit ApplyBatch's 300 s timeout, less its margin. */
const ON_LAMBDA = { settings: { ...FAST.settings, applyBatchTimeoutSeconds: 300 } };

describe.each(ENGINES)(
  'preflight refuses timeouts that do not fit the function running them, on %s',
  (engine) => {
    const slow = backfillJob(engine, {
      id: 'slow-statements',
      limits: { statementTimeoutMs: 250_000, lockTimeoutMs: 1000 },
    });
    const fits = backfillJob(engine, { id: 'fitting-statements', limits: { statementTimeoutMs: 240_000 } });
    const index =
      engine === 'postgres'
        ? createIndexConcurrently({
            id: 'idx-slow',
            table: 'accounts',
            name: 'accounts_note_idx',
            columns: ['lifetime_value'],
            statementTimeoutMs: 3_600_000,
          })
        : mysqlAddIndex({
            id: 'idx-slow',
            table: 'accounts',
            name: 'accounts_note_idx',
            columns: ['lifetime_value'],
            statementTimeoutMs: 3_600_000,
          });
    const e2e = useE2e(engine, [slow, fits], {
      prepare: (db) => createAccounts(db.raw, engine, ROWS),
      recipes: [{ recipe: index, control: { database: CONNECTION, owner: 'test' } }],
      ...ON_LAMBDA,
    });

    it("a job's statement timeout above ApplyBatch's 300 s less 60 s ends Blocked, naming job, field, value, ceiling and what to do", async () => {
      const result = await e2e.rt.runtime.run({ jobId: slow.id });
      expect(result.exit).toBe('Blocked');
      const reason = blockedReasons(result.output).find((r) => r.startsWith('statement-ceiling:'));
      expect(reason).toBeDefined();
      expect(reason).toContain("job 'slow-statements' sets limits.statementTimeoutMs to 250000 ms");
      expect(reason).toContain('more than the 240000 ms one statement may run');
      expect(reason).toContain("ApplyBatch function's 300 s Lambda timeout less a 60 s margin");
      expect(reason).toMatch(/set it to at most 240000, or run the job .*lowtide run <job file> --local/);
      expect((await appliedCounts(e2e.db.raw)).byCount).toEqual({ 0: ROWS });
    });

    it('a job whose statement timeout fits passes the same check', async () => {
      const result = await e2e.rt.runtime.run({ jobId: fits.id, dryRun: true });
      expect(result.exit).toBe('DryRunDone');
      expect(blockedReasons(result.output)).toEqual([]);
    });

    it("a recipe phase's own statementTimeoutMs above the ceiling ends Blocked, and the table has no new index", async () => {
      const result = await e2e.rt.runtime.run({ jobId: index.id, recipe: true });
      expect(result.exit).toBe('Blocked');
      const [reason] = blockedReasons(result.output);
      expect(reason).toMatch(
        /^(create-index|add-index): recipe 'idx-slow' phase '(create-index|add-index)' sets statementTimeoutMs to 3600000 ms, more than the 240000 ms/,
      );
      expect(reason).toMatch(/or run the recipe from a machine without Lambda's 15-minute limit/);
      const indexes =
        engine === 'postgres'
          ? await e2e.db.raw.query("SELECT 1 FROM pg_class WHERE relname = 'accounts_note_idx'")
          : await e2e.db.raw.query(
              "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'accounts_note_idx'",
            );
      expect(indexes).toEqual([]);
    });
  },
);
