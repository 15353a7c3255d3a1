import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** The storage a job's writes land on: known in bytes, or unknown with the reason. */
export type FreeStorage =
  | { readonly freeBytes: number; readonly source: string }
  | { readonly unknown: string };

export type FreeStorageReader = () => Promise<FreeStorage>;

/** Where a connection's storage is watched (see `storage` in the connection config). */
export type StorageTarget = { readonly instanceId: string } | { readonly auroraClusterId: string };

/**
 * The free storage of an RDS instance: the latest FreeStorageSpace datapoint (bytes, published per
 * DBInstanceIdentifier every minute: "Amazon CloudWatch metrics for Amazon RDS", Amazon RDS User
 * Guide), from GetMetricData over the last 15 minutes (IAM: cloudwatch:GetMetricData, which has no
 * resource-level permissions). An Aurora cluster is not compared: its cluster volume grows by
 * itself as data grows, up to the engine version's maximum ("Managing performance and scaling for
 * Aurora DB clusters", Amazon Aurora User Guide: Storage scaling), so there is no free space that a
 * job's writes could exhaust the way they fill an RDS instance's allocated storage.
 */
export function cloudWatchFreeStorage(
  client: Pick<CloudWatchClient, 'send'>,
  target: StorageTarget,
  now: () => Date = () => new Date(),
): FreeStorageReader {
  return async () => {
    if ('auroraClusterId' in target) {
      return {
        unknown: `Aurora cluster ${target.auroraClusterId}: its volume grows by itself as data grows, so there is no free storage to compare with (set limits.maxWriteBytes to cap the writes)`,
      };
    }
    const end = now();
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 15 * 60_000),
        EndTime: end,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'free',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/RDS',
                MetricName: 'FreeStorageSpace',
                Dimensions: [{ Name: 'DBInstanceIdentifier', Value: target.instanceId }],
              },
              Period: 60,
              Stat: 'Minimum',
            },
          },
        ],
      }),
    );
    const latest = out.MetricDataResults?.[0]?.Values?.[0];
    if (latest === undefined)
      return {
        unknown: `CloudWatch has no FreeStorageSpace for RDS instance ${target.instanceId} in the last 15 minutes: check connections.<name>.storage.instanceId`,
      };
    return { freeBytes: latest, source: `FreeStorageSpace of RDS instance ${target.instanceId}` };
  };
}
