import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { jobMetricDimensions, METRICS_NAMESPACE, metricNames } from '../../src/config';
import type { JobSpec } from '../../src/job/types';

export interface JobDashboardProps {
  readonly dashboardName: string;
  readonly job: JobSpec;
  readonly stateMachine: sfn.IStateMachine;
  /** The connection's replica-lag alarm, if it has one (its metrics are graphed too). */
  readonly lagAlarm?: {
    readonly alarm: cloudwatch.IAlarm;
    readonly metrics: cloudwatch.IMetric[];
    readonly unit: 'Seconds' | 'Milliseconds';
  };
  /** A line of context for the header, e.g. the schedule. */
  readonly scheduleText?: string;
  /**
   * A fleet job's members by name and run id (`<job>_<member>`): their runs emit the metrics,
   * under their own run ids, so the dashboard graphs each member's rows and the fleet's total.
   * @default - none: a job on one connection
   */
  readonly fleetMembers?: readonly { readonly member: string; readonly runId: string }[];
}

/** Members per fleet-progress graph, well inside the metrics a graph and a math expression take. */
const MEMBERS_PER_GRAPH = 50;

const PERIOD = Duration.minutes(1);

/**
 * One dashboard per job: throughput (rows per second), batch duration, replica lag, status (alarms
 * and executions) and lock timeouts, from the metrics the handlers emit under `lowtide`.
 */
export class JobDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: JobDashboardProps) {
    super(scope, id);
    const { job } = props;
    const jobMetric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: jobMetricDimensions(job.id),
        statistic,
        period: PERIOD,
        label,
      });

    const rowsPerSecond = new cloudwatch.MathExpression({
      expression: 'rows / PERIOD(rows)',
      usingMetrics: { rows: jobMetric(metricNames.rowsApplied, 'Sum', 'rows') },
      label: 'rows per second',
      period: PERIOD,
    });
    const alarms: cloudwatch.IAlarm[] = [
      ...(props.lagAlarm ? [props.lagAlarm.alarm] : []),
      ...job.health.alarms.map((name, i) =>
        cloudwatch.Alarm.fromAlarmArn(
          this,
          `JobAlarm${i}`,
          Stack.of(this).formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: name,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      ),
    ];
    const executions = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: props.stateMachine.stateMachineArn },
        statistic: 'Sum',
        period: Duration.minutes(5),
        label,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: [
          `# lowtide job \`${job.id}\``,
          `${job.kind} on \`${job.database}\` table \`${job.table.schema ? `${job.table.schema}.` : ''}${job.table.name}\`, owner ${job.owner}.`,
          props.scheduleText ?? 'No schedule: started by hand.',
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Rows per second', left: [rowsPerSecond], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Longest transaction per apply step (ms): how long row locks were held',
        left: [
          jobMetric(metricNames.batchDuration, 'p50', 'p50'),
          jobMetric(metricNames.batchDuration, 'p90', 'p90'),
          jobMetric(metricNames.batchDuration, 'Maximum', 'max'),
        ],
        leftAnnotations: [{ value: job.batch.targetMs, label: 'lock-hold target' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Application sessions blocked by lowtide',
        left: [jobMetric(metricNames.blockedSessions, 'Maximum', 'sessions waiting on our locks')],
        right: [jobMetric(metricNames.blockedWait, 'Maximum', 'longest wait (ms)')],
        leftYAxis: { min: 0 },
        rightYAxis: { min: 0, label: 'ms' },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Apply steps: transactions and duration',
        left: [jobMetric(metricNames.transactions, 'Average', 'transactions per step')],
        right: [jobMetric(metricNames.invocationDuration, 'Maximum', 'step duration (ms)')],
        rightAnnotations: [{ value: job.batch.invocationBudgetMs, label: 'invocation budget' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Replica lag',
        left: [jobMetric(metricNames.replicaLag, 'Maximum', 'read by the health gate (s)')],
        leftAnnotations: [{ value: job.health.maxReplicaLagSeconds, label: 'job limit (s)' }],
        right: props.lagAlarm?.metrics ?? [],
        rightYAxis: {
          label: props.lagAlarm ? `CloudWatch (${props.lagAlarm.unit.toLowerCase()})` : undefined,
        },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lock and statement timeouts; health-gate holds',
        left: [
          jobMetric(metricNames.lockTimeouts, 'Sum', 'timeouts'),
          jobMetric(metricNames.healthGateHeld, 'Sum', 'held by the health gate'),
        ],
        width: 12,
      }),
    );
    const members = props.fleetMembers ?? [];
    for (let first = 0; first < members.length; first += MEMBERS_PER_GRAPH) {
      const slice = members.slice(first, first + MEMBERS_PER_GRAPH);
      const rowsOf = Object.fromEntries(
        slice.map((m, i) => [
          `m${i}`,
          new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: metricNames.rowsApplied,
            dimensionsMap: jobMetricDimensions(m.runId),
            statistic: 'Sum',
            period: PERIOD,
            label: m.member,
          }),
        ]),
      );
      const part =
        members.length > MEMBERS_PER_GRAPH ? ` (members ${first + 1}-${first + slice.length})` : '';
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `Fleet progress: rows per member${part}`,
          left: Object.values(rowsOf),
          right: [
            new cloudwatch.MathExpression({
              expression: `SUM([${Object.keys(rowsOf).join(',')}])`,
              usingMetrics: rowsOf,
              label: 'fleet total',
              period: PERIOD,
            }),
          ],
          stacked: false,
          width: 24,
        }),
      );
    }

    this.dashboard.addWidgets(
      alarms.length > 0
        ? new cloudwatch.AlarmStatusWidget({
            title: 'Status: alarms that pause this job',
            alarms,
            width: 12,
            height: 4,
          })
        : new cloudwatch.TextWidget({
            markdown: '**Status:** no alarm gates this job.',
            width: 12,
            height: 4,
          }),
      new cloudwatch.GraphWidget({
        title: 'Status: executions (all jobs)',
        left: [
          executions('ExecutionsStarted', 'started'),
          executions('ExecutionsSucceeded', 'succeeded'),
          executions('ExecutionsFailed', 'failed'),
          executions('ExecutionsAborted', 'aborted'),
          executions('ExecutionsTimedOut', 'timed out'),
        ],
        width: 12,
        height: 4,
      }),
    );
  }
}
