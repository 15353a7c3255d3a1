import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { cloudWatchFreeStorage } from '../../src/health/free-storage';
import { defineJob } from '../../src/job/define-job';
import { writeVolumeCheck } from '../../src/run/write-volume-check';

const job = (limits: { maxWriteBytes?: number; maxWriteShare?: number } = {}) =>
  defineJob({
    id: 'writes',
    owner: 'tests',
    engine: 'postgres',
    database: 'main',
    table: 'accounts',
    key: 'id',
    kind: 'update',
    set: { tier: "'x'" },
    limits,
  });

const estimate = async () => ({
  bytes: 6_000,
  logBytes: 6_000,
  binlogBytes: 0,
  auditBytes: 0,
  rows: 100,
  sampleRows: 10,
  basis: 'measured' as const,
  note: 'WAL measured',
});

describe('free storage', () => {
  it('asks CloudWatch for the latest FreeStorageSpace of the RDS instance', async () => {
    const sent: GetMetricDataCommand['input'][] = [];
    const client = {
      async send(command: GetMetricDataCommand) {
        expect(command).toBeInstanceOf(GetMetricDataCommand);
        sent.push(command.input);
        return { MetricDataResults: [{ Id: 'free', Values: [123_456, 999_999] }] };
      },
    };
    expect(await cloudWatchFreeStorage(client as never, { instanceId: 'orders-db' })()).toEqual({
      freeBytes: 123_456,
      source: 'FreeStorageSpace of RDS instance orders-db',
    });
    expect(sent[0]).toMatchObject({
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'FreeStorageSpace',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-db' }],
            },
          },
        },
      ],
    });
  });

  it('does not compare an Aurora cluster, and says why, without calling CloudWatch', async () => {
    const client = { send: () => Promise.reject(new Error('must not be called')) };
    const read = await cloudWatchFreeStorage(client as never, { auroraClusterId: 'orders' })();
    expect(read).toMatchObject({
      unknown: expect.stringMatching(/Aurora cluster orders: its volume grows by itself/),
    });
  });
});

describe('the write-volume check', () => {
  it('passes within both limits, naming the figures', async () => {
    const { results } = await writeVolumeCheck(
      job({ maxWriteBytes: 10_000 }),
      100,
      { freeStorage: async () => ({ freeBytes: 20_000, source: 'disk' }) },
      estimate,
    );
    expect(results).toEqual([
      expect.objectContaining({
        ok: true,
        reason: expect.stringMatching(
          /estimated 5\.9 KiB written .*within limits\.maxWriteBytes 9\.8 KiB and 0\.5 of 19\.5 KiB free \(disk\)/,
        ),
      }),
    ]);
  });

  it('refuses above either limit, and warns when the free storage cannot be read', async () => {
    const over = await writeVolumeCheck(
      job({ maxWriteShare: 0.25 }),
      100,
      { freeStorage: async () => ({ freeBytes: 20_000, source: 'disk' }) },
      estimate,
    );
    expect(over.results.map((r) => [r.ok, r.severity])).toEqual([[false, 'error']]);
    expect(over.results[0]!.reason).toContain('above 0.25 of the 19.5 KiB free (disk)');

    const unreadable = await writeVolumeCheck(
      job({ maxWriteBytes: 1_000 }),
      100,
      { freeStorage: () => Promise.reject(new Error('throttled')) },
      estimate,
    );
    expect(unreadable.results.map((r) => [r.ok, r.severity])).toEqual([
      [false, 'error'],
      [false, 'warning'],
    ]);
    expect(unreadable.results[1]!.reason).toBe('free storage could not be read: throttled');
  });

  it('samples nothing without a limit or a free-storage figure, unless asked (plan)', async () => {
    let sampled = 0;
    const counting = async () => {
      sampled++;
      return estimate();
    };
    expect((await writeVolumeCheck(job(), 100, {}, counting)).results).toEqual([]);
    expect(sampled).toBe(0);
    expect((await writeVolumeCheck(job(), 100, { always: true }, counting)).estimate?.bytes).toBe(6_000);
  });
});

describe('the feature-flag field', () => {
  it('refuses AppConfig names where the IAM grant needs IDs, saying what to change', () => {
    expect(() =>
      defineJob({
        id: 'flagged',
        owner: 'tests',
        engine: 'postgres',
        database: 'main',
        table: 'accounts',
        key: 'id',
        kind: 'update',
        set: { tier: "'x'" },
        health: {
          featureFlag: { application: 'Orders App', environment: 'env1234', profile: 'prf1234', flag: 'on' },
        },
      }),
    ).toThrow(/health\.featureFlag\.application.*AppConfig application ID .* not its name/s);
  });
});
