import { describe, expect, it } from 'vitest';
import { estimateRun } from '../../src/cli/plan/estimate';
import { defineJob } from '../../src/job/define-job';

const input = {
  id: 'estimate-test',
  owner: 'tests',
  engine: 'postgres',
  database: 'primary',
  kind: 'delete',
  table: 'events',
  key: 'id',
  where: 'true',
  batch: { size: 1000, min: 100, max: 10_000, targetMs: 500 },
  health: { pauseBetweenBatchesMs: 100 },
} as const;
const spec = defineJob(input);

describe('estimateRun (the batch sizer fed the sample batch, batch after batch)', () => {
  it('without a sample, assumes the first batch size throughout and knows no duration', () => {
    expect(estimateRun(spec, 25_500)).toEqual({ rows: 25_500, batches: 26 });
  });

  it('on a fast table, batches grow 1.2x a step up to max, so there are far fewer of them', () => {
    // 0.01 ms a row: every batch is far under target, so sizes go 1000, 1200, 1440, ... up to 10,000
    const estimate = estimateRun(spec, 100_000, 0.01);
    let size = 1000;
    let left = 100_000;
    let batches = 0;
    while (left > 0) {
      left -= Math.min(size, left);
      batches++;
      size = Math.min(10_000, Math.floor(size * 1.2));
    }
    expect(estimate.batches).toBe(batches);
    expect(estimate.batches).toBeLessThan(100_000 / spec.batch.size);
    // 100,000 rows at 0.01 ms take 1 s: one apply step (3 s budget), so no pacing between steps
    expect(estimate.invocations).toBe(1);
    expect(estimate.durationMs).toBe(1000);
  });

  it('on a slow table, batches shrink toward the target duration', () => {
    // 1 ms a row: the first batch takes 1,000 ms, twice the target, so the next ones hold 500 rows
    const estimate = estimateRun(spec, 10_000, 1);
    expect(estimate.batches).toBe(1 + Math.ceil(9000 / 500));
    // A step starts another transaction while the budget has room for 1.2x the last: the first
    // step runs 1,000 + 3 x 500 ms, the next ones 5 x 500 ms; pacing falls between the 4 steps.
    expect(estimate.invocations).toBe(4);
    expect(estimate.durationMs).toBe(10_000 + 3 * 100);
  });

  it('with a budget of 0, every transaction is its own apply step, paced', () => {
    const single = defineJob({ ...input, batch: { ...input.batch, invocationBudgetMs: 0 } });
    const estimate = estimateRun(single, 10_000, 1);
    expect(estimate.invocations).toBe(estimate.batches);
    expect(estimate.durationMs).toBe(10_000 + (estimate.batches - 1) * 100);
  });

  it('estimates nothing to do as no batches', () => {
    expect(estimateRun(spec, 0, 0.5)).toEqual({ rows: 0, batches: 0, durationMs: 0 });
  });
});
