import { describe, expect, it } from 'vitest';
import { BenchConfigError } from '../../bench/errors';
import { benchSettings } from '../../bench/settings';

const read = (env: Record<string, string>) => benchSettings(env, { resultsDir: 'results' });

describe('bench settings', () => {
  it('runs every contender, waits for a quiet machine and rewrites the docs at the full size by default', () => {
    const s = read({});
    expect(s.contenders).toEqual(['monolithic', 'hand-loop', 'pt-archiver', 'lowtide']);
    expect(s.settleSeconds).toBe(60);
    expect(s.updateDocs).toBe(true);
    expect(s.lowtideJob).toBeUndefined();
  });

  it('runs every work item with and without the AWS latency profile, or only the profiles named', () => {
    expect(read({}).profiles).toEqual(['none', 'aws']);
    const s = read({ LOWTIDE_BENCH_PROFILES: 'aws' });
    expect(s.profiles).toEqual(['aws']);
    expect(s.updateDocs).toBe(false);
    expect(() => read({ LOWTIDE_BENCH_PROFILES: 'aws,gcp' })).toThrow(
      /LOWTIDE_BENCH_PROFILES must be a comma-separated list of none, aws; got 'aws,gcp'/,
    );
  });

  it('runs only the contenders named, in the bench order, and then leaves the docs alone', () => {
    const s = read({ LOWTIDE_BENCH_CONTENDERS: 'lowtide, hand-loop' });
    expect(s.contenders).toEqual(['hand-loop', 'lowtide']);
    expect(s.updateDocs).toBe(false);
  });

  it('refuses an unknown contender and says which names there are', () => {
    expect(() => read({ LOWTIDE_BENCH_CONTENDERS: 'lowtide,gh-ost' })).toThrow(BenchConfigError);
    expect(() => read({ LOWTIDE_BENCH_CONTENDERS: 'lowtide,gh-ost' })).toThrow(
      /LOWTIDE_BENCH_CONTENDERS must be a comma-separated list of monolithic, hand-loop, pt-archiver, lowtide; got 'lowtide,gh-ost'/,
    );
  });

  it('takes lowtide job overrides as JSON, reports them, and leaves the docs alone', () => {
    const s = read({ LOWTIDE_BENCH_LOWTIDE_JOB: '{"batch":{"max":5000,"targetMs":100}}' });
    expect(s.lowtideJob).toEqual({ batch: { max: 5000, targetMs: 100 } });
    expect(s.updateDocs).toBe(false);
  });

  it.each([
    ['not JSON', '{batch:'],
    ['an unknown field', '{"limits":{"lockTimeoutMs":10}}'],
    ['a value that is not a number', '{"batch":{"max":"big"}}'],
  ])('refuses lowtide job overrides that are %s', (_what, raw) => {
    expect(() => read({ LOWTIDE_BENCH_LOWTIDE_JOB: raw })).toThrow(
      /LOWTIDE_BENCH_LOWTIDE_JOB must be JSON with only "batch" and "health" objects of numbers/,
    );
  });
});
