import { describe, expect, it } from 'vitest';
import type { SizerState } from '../../src/control/types';
import { initialSizer, nextSizer } from '../../src/engine/batch-sizer';

const config = { size: 1000, min: 100, max: 20_000, targetMs: 500 };

describe('batch sizer', () => {
  it('starts at the configured size', () => {
    expect(initialSizer(config)).toEqual({ size: 1000, recentMsPerRow: [] });
  });

  it('grows at most 1.2x a step when batches are fast', () => {
    let state = initialSizer(config);
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      state = nextSizer(config, state, { rows: state.size, durationMs: 50 });
      sizes.push(state.size);
    }
    expect(sizes).toEqual([1200, 1440, 1728, 2073, 2487]);
  });

  it('converges on the target duration for a steady per-row cost', () => {
    let state = initialSizer(config);
    for (let i = 0; i < 60; i++)
      state = nextSizer(config, state, { rows: state.size, durationMs: state.size * 0.1 });
    expect(state.size).toBe(5000); // 500 ms / 0.1 ms per row
  });

  it('cuts at once on a batch over 5x the target', () => {
    const state = { size: 10_000, recentMsPerRow: [0.05, 0.05] };
    const next = nextSizer(config, state, { rows: 10_000, durationMs: 3000 });
    expect(next.size).toBe(1666); // what would have taken 500 ms at 0.3 ms per row
  });

  it('halves on a timeout and never leaves min..max', () => {
    expect(nextSizer(config, { size: 1000, recentMsPerRow: [] }, { timedOut: true }).size).toBe(500);
    expect(nextSizer(config, { size: 150, recentMsPerRow: [] }, { timedOut: true }).size).toBe(100);
    let state: SizerState = { size: 19_000, recentMsPerRow: [] };
    for (let i = 0; i < 5; i++) state = nextSizer(config, state, { rows: state.size, durationMs: 1 });
    expect(state.size).toBe(20_000);
  });

  it('uses the p90 so one fast batch among slow ones does not overshoot', () => {
    const slow = Array.from({ length: 9 }, () => 0.5);
    const next = nextSizer(config, { size: 1000, recentMsPerRow: slow }, { rows: 1000, durationMs: 10 });
    expect(next.size).toBe(1000); // p90 is still 0.5 ms/row -> 1000 rows per 500 ms
  });

  it('ignores a short tail batch', () => {
    const state = { size: 1000, recentMsPerRow: [0.2] };
    expect(nextSizer(config, state, { rows: 3, durationMs: 40 })).toBe(state);
  });
});

describe('batch sizer and the foreground-impact signal', () => {
  it('halves at once when an application session waited on the transaction, however fast it was', () => {
    const state = { size: 4000, recentMsPerRow: [0.01] };
    const next = nextSizer(config, state, { rows: 4000, durationMs: 20, blockedSessions: 1 });
    expect(next.size).toBe(2000);
    // ...and grows back by the usual 1.2x steps once nobody waits.
    const after = nextSizer(config, next, { rows: next.size, durationMs: 20, blockedSessions: 0 });
    expect(after.size).toBe(2400);
  });

  it('never cuts below min on a blocked session', () => {
    expect(
      nextSizer(config, { size: 150, recentMsPerRow: [] }, { rows: 150, durationMs: 5, blockedSessions: 3 })
        .size,
    ).toBe(100);
  });
});
