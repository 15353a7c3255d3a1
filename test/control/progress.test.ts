import { describe, expect, it } from 'vitest';
import { computeProgress, type RateSample, rowsPerSecond } from '../../src/control/progress';

const T0 = Date.parse('2025-03-01T02:00:00.000Z');
const sample = (endMs: number, affected: number, durationMs: number): RateSample => ({
  at: new Date(T0 + endMs).toISOString(),
  affected,
  durationMs,
});

describe('progress maths', () => {
  it('measures the rate by the wall clock, pauses between batches included', () => {
    // 100 rows with 1 s of work, one batch every 10 s: 10 rows/s, not 100.
    const batches = [sample(1000, 100, 1000), sample(11_000, 100, 1000), sample(21_000, 100, 1000)];
    expect(rowsPerSecond(batches)).toBe(10);
    expect(rowsPerSecond([...batches].reverse())).toBe(10);
  });

  it('has no rate without batches or without elapsed time', () => {
    expect(rowsPerSecond([])).toBeUndefined();
    expect(rowsPerSecond([sample(0, 100, 0)])).toBeUndefined();
    expect(rowsPerSecond([sample(0, 100, 10), sample(0, 100, 10)])).toBeUndefined();
    expect(rowsPerSecond([{ at: 'not a time', affected: 5, durationMs: 5 }])).toBeUndefined();
    expect(rowsPerSecond([sample(500, 100, 500)])).toBe(200);
  });

  it('gives a linear ETA at the recent rate', () => {
    const recentBatches = [sample(1000, 1000, 1000), sample(2000, 1000, 1000), sample(3000, 1000, 1000)];
    expect(computeProgress({ rowsDone: 2000, estimatedRows: 10_000, recentBatches })).toEqual({
      rowsDone: 2000,
      estimatedRows: 10_000,
      rowsPerSecond: 1000,
      etaSeconds: 8,
      percent: 20,
    });
  });

  it('caps percent at 100 and gives up the ETA, never a negative one, when the estimate was low', () => {
    const p = computeProgress({
      rowsDone: 15_000,
      estimatedRows: 10_000,
      recentBatches: [sample(1000, 1000, 1000)],
    });
    expect(p.percent).toBe(100);
    expect(p.etaSeconds).toBeUndefined();
    expect(computeProgress({ rowsDone: 10, estimatedRows: 0, recentBatches: [] }).percent).toBe(100);
  });

  it('knows nothing without an estimate or a rate, and everything once finished', () => {
    expect(computeProgress({ rowsDone: 5, recentBatches: [sample(1000, 5, 1000)] })).toMatchObject({
      percent: undefined,
      etaSeconds: undefined,
      rowsPerSecond: 5,
    });
    expect(computeProgress({ rowsDone: 5, estimatedRows: 50, recentBatches: [] }).etaSeconds).toBeUndefined();
    expect(
      computeProgress({ rowsDone: 40, estimatedRows: 50, recentBatches: [], finished: true }),
    ).toMatchObject({
      etaSeconds: 0,
      percent: 100,
    });
  });
});
