import { metricNames } from '../config/metrics';
import type { MetricDatum } from './deps';

/** Metrics the handlers add beyond the ones the dashboards already graph (src/config/metrics.ts). */
export const runtimeMetricNames = {
  ...metricNames,
  /** Count, one datum per batch: rows the batch selected (scanned through the keyset). */
  rowsScanned: 'RowsScanned',
  /** Count, one datum per batch: ASL retries the batch needed before it committed. */
  batchRetries: 'BatchRetries',
  /** Count: rows the preflight estimate says are left. */
  remainingRows: 'RemainingRowsEstimate',
} as const;

export function batchMetrics(batch: {
  selected: number;
  affected: number;
  durationMs: number;
  retries: number;
  remainingRows?: number;
}): MetricDatum[] {
  const data: MetricDatum[] = [
    { name: runtimeMetricNames.rowsApplied, unit: 'Count', value: batch.affected },
    { name: runtimeMetricNames.rowsScanned, unit: 'Count', value: batch.selected },
    { name: runtimeMetricNames.batchDuration, unit: 'Milliseconds', value: batch.durationMs },
    { name: runtimeMetricNames.batchRetries, unit: 'Count', value: batch.retries },
  ];
  if (batch.remainingRows !== undefined) {
    data.push({
      name: runtimeMetricNames.remainingRows,
      unit: 'Count',
      value: Math.max(0, batch.remainingRows),
    });
  }
  return data;
}
