/**
 * The CloudWatch metrics the handlers emit (Powertools, EMF) and the dashboards graph. Keep the two
 * sides on these constants: a renamed metric would leave a dashboard silently empty.
 */
export const METRICS_NAMESPACE = 'lowtide';
/** Powertools adds `service` to every metric; the dashboards filter on it as well. */
export const SERVICE_NAME = 'lowtide';
/** The dimension that separates jobs. */
export const JOB_DIMENSION = 'jobId';

export const metricNames = {
  /** Count, one datum per batch: rows the batch changed. */
  rowsApplied: 'RowsApplied',
  /** Milliseconds, one datum per batch: the batch transaction's duration. */
  batchDuration: 'BatchDuration',
  /** Count: batches that hit a lock timeout or statement timeout. */
  lockTimeouts: 'LockTimeouts',
  /** Seconds: the largest replica lag the health gate read (absent when unreadable). */
  replicaLag: 'ReplicaLag',
  /** Count: health-gate checks that held the job back (paused, unhealthy, outside its window). */
  healthGateHeld: 'HealthGateHeld',
} as const;

/** The dimensions a job's metrics carry, in the shape CloudWatch matches exactly. */
export function jobMetricDimensions(jobId: string): Record<string, string> {
  return { service: SERVICE_NAME, [JOB_DIMENSION]: jobId };
}
