import { describe, expect, inject, it } from 'vitest';
import { runKeysBench } from '../../bench/keys/run-keys-bench';

describe('the composite-key bench, run small', () => {
  it('walks the same rows by each key on both engines and reports each and its ratio', async () => {
    const results = await runKeysBench({
      engines: ['postgres', 'mysql'],
      adminUrls: inject('databases'),
      rows: 1_500,
      batchSize: 500,
      rounds: 1,
    });
    expect(results.engines.map((e) => e.engine)).toEqual(['postgres', 'mysql']);
    for (const e of results.engines) {
      expect(e.variants.map((v) => v.key)).toEqual([
        'id',
        'tenant_id, order_no, line',
        'tenant_id, order_id, line',
      ]);
      const [single] = e.variants;
      for (const v of e.variants) {
        expect(v).toMatchObject({ walks: 1, rows: 1_500 });
        expect(v.batchMs.count).toBe(3);
        expect(v.batchMs.p50).toBeGreaterThan(0);
        expect(v.ratio).toBeCloseTo(v.batchMs.p50 / single!.batchMs.p50, 6);
      }
    }
  });
});
