import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/cli/summary/format-summary';
import { batchTimeStats, percentile, summarizeRun } from '../../src/cli/summary/run-summary';

describe('percentile (nearest rank)', () => {
  it('picks a value some batch really took', () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 99)).toBe(50);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 20)).toBe(10);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('on 100 batches, p99 is the 99th slowest and not the maximum', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(batchTimeStats(values)).toEqual({ p50: 50, p99: 99, max: 100 });
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarizeRun', () => {
  it('adds up rows and batches and measures throughput over the wall clock', () => {
    const summary = summarizeRun({
      batches: [
        { rows: 1000, durationMs: 80 },
        { rows: 1200, durationMs: 120 },
        { rows: 800, durationMs: 400 },
      ],
      durationMs: 1500,
      pauses: 2,
      retries: 1,
    });
    expect(summary).toEqual({
      rowsChanged: 3000,
      batches: 3,
      steps: 3,
      durationMs: 1500,
      rowsPerSecond: 2000,
      batchMs: { p50: 120, p99: 400, max: 400 },
      pauses: 2,
      retries: 1,
    });
  });

  it('counts rows and batches from the ledger when it is known: a commit whose step failed after is in it', () => {
    const summary = summarizeRun({
      // The run saw two batches commit; the ledger has a third whose response was lost.
      batches: [
        { rows: 1000, durationMs: 100 },
        { rows: 1000, durationMs: 300 },
      ],
      durationMs: 2000,
      ledger: { batches: 3, rows: 2323 },
    });
    expect(summary).toMatchObject({ rowsChanged: 2323, batches: 3, rowsPerSecond: 1161.5 });
    // Batch times are those of the batches the run saw.
    expect(summary.batchMs).toEqual({ p50: 100, p99: 300, max: 300 });
  });

  it('has no batch times and no rate for a run that did nothing in no time', () => {
    expect(summarizeRun({ batches: [], durationMs: 0 })).toEqual({
      rowsChanged: 0,
      batches: 0,
      steps: 0,
      durationMs: 0,
      rowsPerSecond: undefined,
      batchMs: undefined,
      pauses: 0,
      retries: 0,
    });
  });

  it('formats every figure the demo promises', () => {
    const text = formatSummary(
      summarizeRun({
        batches: [{ rows: 100_000, durationMs: 2500 }],
        durationMs: 10_000,
        pauses: 1,
        retries: 0,
      }),
    );
    expect(text).toBe(
      [
        'summary:',
        '  rows changed   100,000',
        '  batches        1',
        '  duration       10.0 s',
        '  throughput     10,000 rows/s',
        '  batch time     p50 2.5 s, p99 2.5 s, max 2.5 s',
        '  pauses         1',
        '  retries        0',
      ].join('\n'),
    );
  });
});

describe('a run of apply steps of several transactions', () => {
  it('counts batches from the transactions, steps apart, and times the longest transaction of each step', () => {
    const summary = summarizeRun({
      batches: [
        { rows: 14_000, durationMs: 48, transactions: 14 },
        { rows: 16_000, durationMs: 52, transactions: 16 },
      ],
      durationMs: 4000,
    });
    expect(summary).toMatchObject({ rowsChanged: 30_000, batches: 30, steps: 2 });
    expect(summary.batchMs).toEqual({ p50: 48, p99: 52, max: 52 });
    const text = formatSummary(summary);
    expect(text).toContain('batches        30 in 2 apply steps');
    // Each step's longest transaction: how long a row lock was held at most.
    expect(text).toContain('batch time     p50 48 ms, p99 52 ms, max 52 ms');
  });
});
