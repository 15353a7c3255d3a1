import type { MetricDatum, RuntimeMetrics } from '../deps';

export interface RecordedMetric extends MetricDatum {
  readonly jobId: string;
  readonly at: number;
}

/** Metrics kept in memory: what the local runtime and the tests read instead of CloudWatch. */
export interface MemoryMetrics extends RuntimeMetrics {
  all(jobId?: string): RecordedMetric[];
  /** Sum of one metric's values for a job. */
  sum(jobId: string, name: string): number;
  values(jobId: string, name: string): number[];
}

export function memoryMetrics(limit = 100_000): MemoryMetrics {
  const recorded: RecordedMetric[] = [];
  const values = (jobId: string, name: string) =>
    recorded.filter((m) => m.jobId === jobId && m.name === name).map((m) => m.value);
  return {
    record(jobId, data) {
      const at = Date.now();
      for (const d of data) recorded.push({ ...d, jobId, at });
      if (recorded.length > limit) recorded.splice(0, recorded.length - limit);
    },
    all: (jobId) => (jobId === undefined ? [...recorded] : recorded.filter((m) => m.jobId === jobId)),
    values,
    sum: (jobId, name) => values(jobId, name).reduce((a, b) => a + b, 0),
  };
}
