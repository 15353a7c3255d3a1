import { describe, expect, it } from 'vitest';
import { APPLY_BATCH_TIMEOUT_SECONDS, STATEMENT_MARGIN_SECONDS } from '../../src/config/function-timeouts';
import { defineJob } from '../../src/job/define-job';
import {
  MAX_INVOCATION_BUDGET_MS,
  MAX_STATEMENT_TIMEOUT_MS,
  MAX_STATEMENTS_PER_BATCH,
} from '../../src/job/limit-bounds';

const base = {
  id: 'subbatch-budget',
  owner: 'test',
  engine: 'postgres',
  database: 'primary',
  table: 'accounts',
  key: 'id',
  kind: 'update',
  where: 'tier IS NULL',
  set: { tier: "'x'" },
} as const;

describe('batch.invocationBudgetMs', () => {
  it('keeps an apply step far inside the ApplyBatch function timeout, its last transaction at its worst included', () => {
    // A transaction starts only while the budget has time left: the worst step is the budget
    // plus one transaction of MAX_STATEMENTS_PER_BATCH statements at the longest statement timeout.
    const worstStepMs = MAX_INVOCATION_BUDGET_MS + MAX_STATEMENTS_PER_BATCH * MAX_STATEMENT_TIMEOUT_MS;
    // ...and the DynamoDB writes after it (about 10 s with SDK retries, function-timeouts.ts).
    expect(worstStepMs + 10_000).toBeLessThan(APPLY_BATCH_TIMEOUT_SECONDS * 1000);
    expect(MAX_INVOCATION_BUDGET_MS).toBeLessThan(STATEMENT_MARGIN_SECONDS * 1000);
  });

  it('defaults to 3 s, with a 50 ms lock-hold target per transaction', () => {
    const job = defineJob(base);
    expect(job.batch).toMatchObject({ invocationBudgetMs: 3000, targetMs: 50 });
  });

  it('accepts 0 (one transaction per step) and refuses a budget past the bound, naming it', () => {
    expect(defineJob({ ...base, batch: { invocationBudgetMs: 0 } }).batch.invocationBudgetMs).toBe(0);
    expect(() => defineJob({ ...base, batch: { invocationBudgetMs: 60_000 } })).toThrow(
      /invocationBudgetMs[\s\S]*must be between 0 and 20000[\s\S]*60000/,
    );
  });
});
