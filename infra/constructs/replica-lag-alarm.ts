import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { LagAlarmConfig } from '../../src/config';

export interface ReplicaLagAlarmProps {
  readonly alarmName: string;
  readonly connectionName: string;
  readonly lag: LagAlarmConfig;
  /** In seconds, whatever unit the metric uses. */
  readonly thresholdSeconds: number;
  /**
   * Consecutive one-minute periods above the threshold before the alarm fires.
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

const PERIOD = Duration.minutes(1);

/**
 * A connection's replica lag from CloudWatch: RDS `ReplicaLag` (seconds) per replica, Aurora
 * `AuroraReplicaLag` (milliseconds) per reader or `AuroraReplicaLagMaximum` for the cluster. The
 * worst of them is compared with the threshold. Missing data counts as breaching: a lag nobody can
 * read is not a healthy lag.
 */
export class ReplicaLagAlarm extends Construct {
  readonly alarm: cloudwatch.Alarm;
  /** The lag metric(s) in their own unit, for dashboards. */
  readonly metrics: cloudwatch.IMetric[];
  /** 'Seconds' for RDS, 'Milliseconds' for Aurora. */
  readonly unit: 'Seconds' | 'Milliseconds';

  constructor(scope: Construct, id: string, props: ReplicaLagAlarmProps) {
    super(scope, id);
    const { lag } = props;
    this.unit = lag.service === 'rds' ? 'Seconds' : 'Milliseconds';
    this.metrics = lagMetrics(lag);
    const threshold = lag.service === 'rds' ? props.thresholdSeconds : props.thresholdSeconds * 1000;
    const metric =
      this.metrics.length === 1
        ? this.metrics[0]!
        : new cloudwatch.MathExpression({
            expression: `MAX([${this.metrics.map((_, i) => `m${i}`).join(', ')}])`,
            usingMetrics: Object.fromEntries(this.metrics.map((m, i) => [`m${i}`, m])),
            label: `${props.connectionName} worst replica lag`,
            period: PERIOD,
          });
    const evaluationPeriods = props.evaluationPeriods ?? 2;
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      alarmDescription: `lowtide: replicas of connection '${props.connectionName}' are more than ${props.thresholdSeconds}s behind; every job on it pauses until the alarm returns to OK`,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}

function lagMetrics(lag: LagAlarmConfig): cloudwatch.Metric[] {
  const metric = (metricName: string, dimensionsMap: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap,
      statistic: 'Maximum',
      period: PERIOD,
    });
  if (lag.service === 'rds') {
    return lag.replicaInstanceIds.map((id) => metric('ReplicaLag', { DBInstanceIdentifier: id }));
  }
  return [
    ...(lag.clusterId ? [metric('AuroraReplicaLagMaximum', { DBClusterIdentifier: lag.clusterId })] : []),
    ...lag.replicaInstanceIds.map((id) => metric('AuroraReplicaLag', { DBInstanceIdentifier: id })),
  ];
}
