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
  /** Count, one datum per apply step: rows its transactions changed. */
  rowsApplied: 'RowsApplied',
  /**
   * Milliseconds, one datum per apply step: its longest transaction, i.e. the longest any row lock
   * of the step was held (the figure batch.targetMs aims at).
   */
  batchDuration: 'BatchDuration',
  /** Milliseconds, one datum per apply step: from its first transaction's start to its last one's end. */
  invocationDuration: 'InvocationDuration',
  /** Count, one datum per apply step: the transactions (batches, each with its ledger row) it committed. */
  transactions: 'Transactions',
  /**
   * Count, one datum per apply step: application sessions seen waiting on a lock lowtide's
   * transaction held, the most at one sample (the foreground-impact signal).
   */
  blockedSessions: 'BlockedSessions',
  /** Milliseconds, one datum per apply step: the longest such wait seen. */
  blockedWait: 'BlockedWait',
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
