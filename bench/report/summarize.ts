import type { ContenderName } from '../contenders/types';
import type { ContenderResult, ContenderSummary } from './results';

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);

/** The round whose rows/s is the median one: its details stand for the contender in the docs. */
export function representativeRound(summary: ContenderSummary): ContenderResult | undefined {
  const measured = summary.rounds.filter((r) => r.status === 'measured');
  if (measured.length === 0) return undefined;
  const sorted = [...measured].sort((a, b) => (a.rowsPerSecond ?? 0) - (b.rowsPerSecond ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Folds a contender's rounds into medians; a single round is its own summary. */
export function summarizeContender(
  name: ContenderName,
  description: string,
  rounds: readonly ContenderResult[],
): ContenderSummary {
  const failed = rounds.find((r) => r.status !== 'measured');
  const head = { name, description, rounds };
  if (failed) return { ...head, status: failed.status, ...(failed.reason ? { reason: failed.reason } : {}) };
  const each = (f: (r: ContenderResult) => number | undefined) => rounds.map((r) => f(r) ?? Number.NaN);
  const fg = rounds.every((r) => r.foreground && r.baseline)
    ? {
        baselineP99: median(each((r) => r.baseline!.latencyMs.p99)),
        p50: median(each((r) => r.foreground!.latencyMs.p50)),
        p99: median(each((r) => r.foreground!.latencyMs.p99)),
        max: median(each((r) => r.foreground!.latencyMs.max)),
        errors: rounds.reduce((sum, r) => sum + r.foreground!.errors, 0),
        p99VsBaseline: median(each((r) => ratio(r.foreground!.latencyMs.p99, r.baseline!.latencyMs.p99))),
        readServiceP99: median(each((r) => r.foreground!.readServiceMs.p99)),
        readServiceP99VsBaseline: median(
          each((r) => ratio(r.foreground!.readServiceMs.p99, r.baseline!.readServiceMs.p99)),
        ),
        writeP99: median(each((r) => r.foreground!.writeLatencyMs.p99)),
        writeP99VsBaseline: median(
          each((r) => ratio(r.foreground!.writeLatencyMs.p99, r.baseline!.writeLatencyMs.p99)),
        ),
        machineBusy: median(each((r) => r.machine?.busy)),
      }
    : undefined;
  return {
    ...head,
    status: 'measured',
    rowsPerSecond: median(each((r) => r.rowsPerSecond)),
    wallMs: median(each((r) => r.wallMs)),
    longestTxMs: Math.max(...each((r) => r.longestTxMs)),
    transactions: median(each((r) => r.transactions)),
    clientCpuMs: median(each((r) => r.clientCpuMs)),
    ...(fg ? { foreground: fg } : {}),
  };
}
