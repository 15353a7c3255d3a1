import { count, duration, rate } from '../format/units';
import type { RunSummary } from './run-summary';

/** The end-of-run block the CLI and the demo print. */
export function formatSummary(summary: RunSummary, title = 'summary'): string {
  const stats = summary.batchMs;
  return [
    `${title}:`,
    `  rows changed   ${count(summary.rowsChanged)}`,
    `  batches        ${count(summary.batches)}${summary.steps > 0 && summary.steps < summary.batches ? ` in ${count(summary.steps)} apply steps` : ''}`,
    `  duration       ${duration(summary.durationMs)}`,
    `  throughput     ${rate(summary.rowsPerSecond)}`,
    `  batch time     ${stats ? `p50 ${duration(stats.p50)}, p99 ${duration(stats.p99)}, max ${duration(stats.max)}` : 'no batches'}`,
    `  pauses         ${count(summary.pauses)}`,
    `  retries        ${count(summary.retries)}`,
  ].join('\n');
}
