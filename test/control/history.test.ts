import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobPk } from '../../src/control/item-keys';
import type { BatchRecord } from '../../src/control/types';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

describe('batch and run history', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** History items of a job, counted in the table itself (not through the store). */
  async function countItems(jobId: string, prefix: string): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await h.dynamo.documentClient.send(
        new QueryCommand({
          TableName: h.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': prefix },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  function batch(batchNo: number, at: number, rows = 1000, durationMs = 400): BatchRecord {
    return {
      batchNo,
      firstKey: String((batchNo - 1) * rows + 1),
      lastKey: String(batchNo * rows),
      selected: rows,
      affected: rows,
      durationMs,
      retries: batchNo % 7 === 0 ? 1 : 0,
      batchSize: rows,
      executionId: 'exec-1',
      at: new Date(at).toISOString(),
    };
  }

  it('keeps the records of apply steps within the last 500 batch numbers, though each step skips many', async () => {
    const jobId = uniqueJobId('steps');
    const per = 37; // transactions per step: the numbers the keys skip
    const steps = 60;
    for (let k = 1; k <= steps; k++) {
      const record = {
        ...batch(k * per, h.clock.ms + k * 1000),
        firstBatchNo: (k - 1) * per + 1,
        transactions: per,
      };
      await h.store.appendBatch(jobId, record);
    }
    const listed = await h.store.listBatches(jobId, 1000);
    const newest = steps * per;
    // Every record ending above newest - 500 is kept; every one at or below it is gone.
    const kept = Array.from({ length: steps }, (_, i) => (steps - i) * per).filter((n) => n > newest - 500);
    expect(listed.map((b) => b.batchNo)).toEqual(kept);
    expect(await countItems(jobId, 'BATCH#')).toBe(kept.length);
    expect(listed[0]).toMatchObject({ firstBatchNo: newest - per + 1, transactions: per });
  });

  it('stays bounded after thousands of batches', async () => {
    const jobId = uniqueJobId('thousands');
    const total = 2000;
    for (let n = 1; n <= total; n++) await h.store.appendBatch(jobId, batch(n, h.clock.ms + n * 1000));
    expect(await countItems(jobId, 'BATCH#')).toBe(500);
    const listed = await h.store.listBatches(jobId);
    expect(listed).toHaveLength(500);
    expect(listed[0]).toEqual(batch(total, h.clock.ms + total * 1000));
    expect(listed.map((b) => b.batchNo)).toEqual(Array.from({ length: 500 }, (_, i) => total - i));
    expect((await h.store.listBatches(jobId, 3)).map((b) => b.batchNo)).toEqual([2000, 1999, 1998]);
  }, 120_000);

  it('a retried append overwrites instead of duplicating', async () => {
    const jobId = uniqueJobId('retried');
    await h.store.appendBatch(jobId, batch(1, h.clock.ms));
    await h.store.appendBatch(jobId, { ...batch(1, h.clock.ms), retries: 2 });
    const listed = await h.store.listBatches(jobId);
    expect(listed).toHaveLength(1);
    expect(listed[0]?.retries).toBe(2);
  });

  it('gaps in the numbering and leftovers are swept, so the bound holds anyway', async () => {
    const store = h.newStore({ historyLimit: 10 });
    const jobId = uniqueJobId('gaps');
    for (let n = 1; n <= 10; n++) await store.appendBatch(jobId, batch(n, h.clock.ms));
    // Jumping ahead leaves 1..10 that no single delete would reach; the sweep does.
    await store.appendBatch(jobId, batch(40, h.clock.ms));
    expect((await store.listBatches(jobId)).map((b) => b.batchNo)).toEqual([40]);
    expect(await countItems(jobId, 'BATCH#')).toBe(1);
  });

  it('runs: start, end, newest first, bounded; a retried start is recorded once', async () => {
    const store = h.newStore({ runHistoryLimit: 20 });
    const jobId = uniqueJobId('runs');
    for (let i = 1; i <= 75; i++) {
      h.clock.advance(60_000);
      await store.startRun(jobId, `exec-${i}`);
      await store.startRun(jobId, `exec-${i}`);
      h.clock.advance(30_000);
      await store.endRun(
        jobId,
        `exec-${i}`,
        i % 10 === 0 ? 'failed' : 'completed',
        i % 10 === 0 ? 'boom' : undefined,
      );
    }
    expect(await countItems(jobId, 'RUN#')).toBe(20);
    const runs = await store.listRuns(jobId);
    expect(runs.map((r) => r.executionId)).toEqual(Array.from({ length: 20 }, (_, i) => `exec-${75 - i}`));
    expect(runs[5]).toEqual({
      executionId: 'exec-70',
      startedAt: new Date(h.clock.ms - 5 * 90_000 - 90_000 + 60_000).toISOString(),
      endedAt: new Date(h.clock.ms - 5 * 90_000).toISOString(),
      outcome: 'failed',
      reason: 'boom',
    });
  });

  it('an end without a recorded start is still recorded', async () => {
    const jobId = uniqueJobId('orphan-end');
    await h.store.endRun(jobId, 'exec-lost', 'aborted', 'execution stopped in the console');
    const runs = await h.store.listRuns(jobId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      executionId: 'exec-lost',
      outcome: 'aborted',
      reason: 'execution stopped in the console',
    });
    await expect(h.store.endRun(jobId, 'exec-lost', 'running')).rejects.toThrow(/is not an end/);
  });

  it('progress and ETA are sane on a steady rate', async () => {
    const jobId = uniqueJobId('eta');
    await h.store.ensureJob(jobId);
    await h.store.setEstimate(jobId, 100_000);
    const lease = await h.store.acquireLease(jobId, 'exec-eta', 600_000);
    if (!lease.acquired) throw new Error('lease expected');
    const start = h.clock.ms;
    // 1,000 rows every 2 s (0.4 s of work, then pacing and health checks): 500 rows/s.
    for (let n = 1; n <= 40; n++) await h.store.appendBatch(jobId, batch(n, start + n * 2000));
    await h.store.saveCheckpoint(jobId, lease.lease, {
      lastKey: '40000',
      batchNo: 40,
      rowsDone: 40_000,
      rowsScanned: 40_000,
      sizer: { size: 1000, recentMsPerRow: [0.4] },
      at: new Date(start + 80_000).toISOString(),
    });
    const progress = await h.store.progress(jobId);
    expect(progress.rowsDone).toBe(40_000);
    expect(progress.estimatedRows).toBe(100_000);
    expect(progress.percent).toBeCloseTo(40, 6);
    expect(progress.rowsPerSecond).toBeCloseTo(500, 6);
    // 60,000 rows left at 500 rows/s.
    expect(progress.etaSeconds).toBeCloseTo(120, 6);

    await h.store.setStatus(jobId, 'running');
    await h.store.setStatus(jobId, 'completed');
    expect(await h.store.progress(jobId)).toMatchObject({ etaSeconds: 0, percent: 100 });
  });

  it('progress of a job that never ran is zero and unknown', async () => {
    expect(await h.store.progress(uniqueJobId('never'))).toEqual({
      rowsDone: 0,
      estimatedRows: undefined,
      rowsPerSecond: undefined,
      etaSeconds: undefined,
      percent: undefined,
    });
  });
});
