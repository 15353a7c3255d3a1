import { describe, expect, it } from 'vitest';
import {
  etaSeconds,
  initialProgress,
  type ProgressEvent,
  type ProgressState,
  percent,
  recentRate,
  reduceProgress,
} from '../../src/cli/progress/events';
import { formatBar, formatPlainLine, markPrinted } from '../../src/cli/progress/render';
import { createProgressRenderer } from '../../src/cli/progress/renderer';

const T0 = 1_700_000_000_000;

function batch(batchNo: number, rows: number, rowsDone: number, at: number, durationMs = 100): ProgressEvent {
  return { type: 'batch', batchNo, rows, rowsDone, batchSize: rows, durationMs, at };
}

function replay(events: readonly ProgressEvent[]): ProgressState {
  return events.reduce(reduceProgress, initialProgress('job-a', T0));
}

describe('progress state', () => {
  it('counts this run against the estimate, even when earlier runs did some of the job', () => {
    const state = replay([
      { type: 'started', jobId: 'job-a', estimatedRows: 10_000, at: T0 },
      batch(7, 1000, 7000, T0 + 1000), // the ledger's total includes 6,000 rows from an earlier run
      batch(8, 1000, 8000, T0 + 2000),
    ]);
    expect(state).toMatchObject({ rowsDone: 8000, runRows: 2000, batches: 2, batchSize: 1000 });
    expect(percent(state)).toBe(20);
  });

  it('measures the rate over the recent batches by the wall clock, pacing included', () => {
    // two batches of 1,000 rows, each 100 ms long, ending 1 s apart: 2,000 rows in 1.1 s
    const state = replay([batch(1, 1000, 1000, T0 + 100), batch(2, 1000, 2000, T0 + 1100)]);
    expect(recentRate(state)).toBeCloseTo(2000 / 1.1, 6);
  });

  it('gives a linear ETA, and none without an estimate or once past it', () => {
    const started: ProgressEvent = { type: 'started', jobId: 'job-a', estimatedRows: 4000, at: T0 };
    const state = replay([started, batch(1, 1000, 1000, T0 + 1000, 1000)]);
    expect(etaSeconds(state)).toBeCloseTo(3, 6); // 3,000 rows left at 1,000 rows/s
    expect(etaSeconds(replay([batch(1, 1000, 1000, T0 + 1000, 1000)]))).toBeUndefined();
    const past = replay([started, batch(1, 5000, 5000, T0 + 1000, 1000)]);
    expect(etaSeconds(past)).toBeUndefined();
    expect(percent(past)).toBe(100);
  });

  it('counts waits and retries and ends with the outcome', () => {
    const state = replay([
      { type: 'waiting', reason: 'replica-lag: 9 s behind', at: T0 },
      { type: 'retry', reason: 'LockTimeout', at: T0 },
      { type: 'finished', outcome: 'completed', at: T0 },
    ]);
    expect(state).toMatchObject({ waits: 1, retries: 1, finished: true, outcome: 'completed' });
    expect(percent(state)).toBe(100);
    expect(etaSeconds(state)).toBe(0);
  });
});

describe('terminal bar', () => {
  it('shows rows, rate, batch size and ETA on one line', () => {
    const state = replay([
      { type: 'started', jobId: 'job-a', estimatedRows: 10_000, at: T0 },
      batch(1, 2500, 2500, T0 + 1000, 1000),
    ]);
    const line = formatBar(state, 200);
    expect(line).toBe(
      '[######------------------]   25%  2,500/10,000 rows  2,500 rows/s  batch 2,500  ETA 3.0 s',
    );
  });

  it('says what the job waits for, and never exceeds the terminal width', () => {
    const state = replay([{ type: 'waiting', reason: 'alarm orders-db-cpu-high is in ALARM', at: T0 }]);
    expect(formatBar(state, 300)).toContain('| waiting: alarm orders-db-cpu-high is in ALARM');
    expect(formatBar(state, 40).length).toBeLessThanOrEqual(40);
  });
});

describe('plain lines (not a terminal)', () => {
  it('prints the first batch, then at most one batch line a second; waits and the end always', () => {
    const events: ProgressEvent[] = [
      { type: 'started', jobId: 'job-a', estimatedRows: 3000, at: T0 },
      batch(1, 1000, 1000, T0 + 100),
      batch(2, 1000, 2000, T0 + 400),
      { type: 'waiting', reason: 'paused by operator', at: T0 + 500 },
      batch(3, 1000, 3000, T0 + 1200),
      { type: 'finished', outcome: 'completed', at: T0 + 1300 },
    ];
    let state = initialProgress('job-a', T0);
    const printed: string[] = [];
    for (const event of events) {
      const next = reduceProgress(state, event);
      const line = formatPlainLine(state, next, event);
      if (line !== undefined) printed.push(line);
      state = markPrinted(next, event, line !== undefined);
    }
    expect(printed).toEqual([
      'job job-a: started, about 3,000 rows to change',
      expect.stringMatching(/^batch 1: 1,000 rows in 100 ms \| 1,000\/3,000 rows \(33%\) \|/),
      'waiting: paused by operator',
      expect.stringMatching(/^batch 3: 1,000 rows in 100 ms \| 3,000\/3,000 rows \(100%\) \|/),
      'job job-a: completed after 3,000 rows in 3 batches',
    ]);
  });
});

describe('renderer', () => {
  it('redraws one line in place on a terminal and ends it when the run finishes', () => {
    let written = '';
    const sink = createProgressRenderer({ write: (t: string) => (written += t), isTTY: true, columns: 120 });
    sink.handle(batch(1, 10, 10, T0 + 100));
    sink.handle(batch(2, 10, 20, T0 + 200));
    sink.handle({ type: 'finished', outcome: 'completed', at: T0 + 300 });
    expect(written.split('\r')).toHaveLength(4);
    expect(written.endsWith('\n')).toBe(true);
    expect(written.match(/\n/g)).toHaveLength(1);
  });

  it('writes whole lines otherwise', () => {
    let written = '';
    const sink = createProgressRenderer({ write: (t: string) => (written += t) }, { jobId: 'job-a' });
    sink.handle(batch(1, 10, 10, T0 + 100));
    sink.handle({ type: 'finished', outcome: 'paused', reason: 'operator', at: T0 + 300 });
    expect(written).not.toContain('\r');
    expect(written.trim().split('\n')).toHaveLength(2);
    expect(written).toContain('job job-a: paused (operator) after 10 rows in 1 batches');
  });
});

describe('progress of apply steps of several transactions', () => {
  it('counts batches (transactions) and steps apart, and names each step by its batches', () => {
    const step = (batchNo: number, transactions: number, rows: number, rowsDone: number, at: number) =>
      ({
        type: 'batch',
        batchNo,
        rows,
        rowsDone,
        batchSize: rows / transactions,
        durationMs: 2000,
        transactions,
        longestTransactionMs: 48,
        at,
      }) satisfies ProgressEvent;
    const first = step(14, 14, 14_000, 14_000, T0 + 2000);
    let state = reduceProgress(initialProgress('job-a', T0), first);
    expect(state).toMatchObject({ batches: 14, steps: 1, batchSize: 1000, runRows: 14_000 });
    expect(formatPlainLine(initialProgress('job-a', T0), state, first)).toMatch(
      /^batch 14 \(batches 1\.\.14, 14 transactions, longest 48 ms\): 14,000 rows in 2\.0 s \|/,
    );
    state = reduceProgress(state, step(30, 16, 16_000, 30_000, T0 + 4000));
    const end = { type: 'finished', outcome: 'completed', at: T0 + 4000 } as const;
    expect(formatPlainLine(state, reduceProgress(state, end), end)).toBe(
      'job job-a: completed after 30,000 rows in 30 batches (in 2 apply steps)',
    );
  });
});
