import { describe, expect, inject, it } from 'vitest';
import { runKeysBench } from '../../bench/keys/run-keys-bench';

describe('the composite-key bench, run small', () => {
  it('walks the same rows by each key on both engines and reports both and their ratio', async () => {
    const results = await runKeysBench({
      engines: ['postgres', 'mysql'],
      adminUrls: inject('databases'),
      rows: 1_500,
      batchSize: 500,
      rounds: 1,
    });
    expect(results.engines.map((e) => e.engine)).toEqual(['postgres', 'mysql']);
    for (const e of results.engines) {
      for (const walked of [e.single, e.composite]) {
        expect(walked).toMatchObject({ walks: 1, rows: 1_500 });
        expect(walked.batchMs.count).toBe(3);
        expect(walked.batchMs.p50).toBeGreaterThan(0);
      }
      expect(e.composite.key).toBe('tenant_id, order_id, line');
      expect(e.ratio).toBeCloseTo(e.composite.batchMs.p50 / e.single.batchMs.p50, 6);
    }
  });
});
