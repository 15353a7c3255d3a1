import { metricNames } from '../config/metrics';
import type { MetricDatum } from './deps';

/** Metrics the handlers add beyond the ones the dashboards already graph (src/config/metrics.ts). */
export const runtimeMetricNames = {
  ...metricNames,
  /** Count, one datum per apply step: rows its transactions selected (scanned through the keyset). */
  rowsScanned: 'RowsScanned',
  /** Count, one datum per apply step: ASL retries the step needed before its first transaction committed. */
  batchRetries: 'BatchRetries',
  /** Count: rows the preflight estimate says are left. */
  remainingRows: 'RemainingRowsEstimate',
} as const;

/** One apply step's metrics: its rows, its transactions, and what the application waited on them. */
export function invocationMetrics(step: {
  selected: number;
  affected: number;
  durationMs: number;
  retries: number;
  transactions?: number;
  longestTransactionMs?: number;
  blockedSessions?: number;
  longestBlockedWaitMs?: number;
  remainingRows?: number;
}): MetricDatum[] {
  const data: MetricDatum[] = [
    { name: runtimeMetricNames.rowsApplied, unit: 'Count', value: step.affected },
    { name: runtimeMetricNames.rowsScanned, unit: 'Count', value: step.selected },
    {
      name: runtimeMetricNames.batchDuration,
      unit: 'Milliseconds',
      value: step.longestTransactionMs ?? step.durationMs,
    },
    { name: runtimeMetricNames.invocationDuration, unit: 'Milliseconds', value: step.durationMs },
    { name: runtimeMetricNames.transactions, unit: 'Count', value: step.transactions ?? 1 },
    { name: runtimeMetricNames.batchRetries, unit: 'Count', value: step.retries },
  ];
  if (step.blockedSessions !== undefined) {
    data.push(
      { name: runtimeMetricNames.blockedSessions, unit: 'Count', value: step.blockedSessions },
      { name: runtimeMetricNames.blockedWait, unit: 'Milliseconds', value: step.longestBlockedWaitMs ?? 0 },
    );
  }
  if (step.remainingRows !== undefined) {
    data.push({
      name: runtimeMetricNames.remainingRows,
      unit: 'Count',
      value: Math.max(0, step.remainingRows),
    });
  }
  return data;
}
