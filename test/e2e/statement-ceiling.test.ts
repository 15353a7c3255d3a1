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

/**
 * As the Lambda runtime sets it, with ApplyBatch at 70 s: every statement must fit its timeout less
 * the 60 s margin, 10 s. (At the deployed 300 s, job limits cannot exceed the ceiling: the job schema
 * caps statementTimeoutMs at 30 s; recipe phases have no such cap.)
 */
const ON_LAMBDA = { settings: { ...FAST.settings, applyBatchTimeoutSeconds: 70 } };

describe.each(ENGINES)(
  'preflight refuses timeouts that do not fit the function running them, on %s',
  (engine) => {
    const slow = backfillJob(engine, {
      id: 'slow-statements',
      limits: { statementTimeoutMs: 25_000, lockTimeoutMs: 1000 },
    });
    const fits = backfillJob(engine, { id: 'fitting-statements', limits: { statementTimeoutMs: 10_000 } });
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

    it("a job's statement timeout above ApplyBatch's timeout less 60 s ends Blocked, naming job, field, value, ceiling and what to do", async () => {
      const result = await e2e.rt.runtime.run({ jobId: slow.id });
      expect(result.exit).toBe('Blocked');
      const reason = blockedReasons(result.output).find((r) => r.startsWith('statement-ceiling:'));
      expect(reason).toBeDefined();
      expect(reason).toContain("job 'slow-statements' sets limits.statementTimeoutMs to 25000 ms");
      expect(reason).toContain('more than the 10000 ms one statement may run');
      expect(reason).toContain("ApplyBatch function's 70 s Lambda timeout less a 60 s margin");
      expect(reason).toMatch(/set it to at most 10000, or run the job .*lowtide run <job file> --local/);
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
        /^(create-index|add-index): recipe 'idx-slow' phase '(create-index|add-index)' sets statementTimeoutMs to 3600000 ms, more than the 10000 ms/,
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
