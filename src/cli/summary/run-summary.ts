/** One apply step as the run saw it commit. */
export interface BatchTiming {
  /** Rows the step changed. */
  readonly rows: number;
  /** Its longest transaction: how long a row lock of the step was held at most. */
  readonly durationMs: number;
  /** Transactions (batches, each with its ledger row) the step committed (absent: 1). */
  readonly transactions?: number;
}

export interface BatchTimeStats {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface RunSummary {
  readonly rowsChanged: number;
  /** Batches: transactions, each with its own ledger row. */
  readonly batches: number;
  /** Apply steps (ApplyBatch invocations) the run saw commit them. */
  readonly steps: number;
  /** Wall clock of the run, waits and pacing included. */
  readonly durationMs: number;
  /** rowsChanged over the wall clock; undefined for a run that took no measurable time. */
  readonly rowsPerSecond?: number;
  /** Undefined when no batch ran. */
  readonly batchMs?: BatchTimeStats;
  /** Times the health gate held the job back (pause requests, alarms, lag, load). */
  readonly pauses: number;
  /** Batches retried after a lock or statement timeout. */
  readonly retries: number;
}

/**
 * The nearest-rank percentile (the smallest value with at least p% of values at or below it), so
 * p99 of 10 batches is the slowest one rather than an interpolation no batch ever took.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100]; got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

export function batchTimeStats(durations: readonly number[]): BatchTimeStats | undefined {
  if (durations.length === 0) return undefined;
  return {
    p50: percentile(durations, 50)!,
    p99: percentile(durations, 99)!,
    max: Math.max(...durations),
  };
}

/** What the job's ledger in the database recorded over the run: the one count of work done. */
export interface LedgerProgress {
  /** Batches committed (the ledger's batch number at the end minus at the start). */
  readonly batches: number;
  /** Rows they changed (rows_done at the end minus at the start). */
  readonly rows: number;
}

export interface RunSummaryInput {
  /** Batches the run saw commit, for their timings. */
  readonly batches: readonly BatchTiming[];
  readonly durationMs: number;
  readonly pauses?: number;
  readonly retries?: number;
  /**
   * The ledger's count, when it could be read. It wins over `batches`: a batch whose commit landed
   * but whose step failed after (a lost response, a crash) is in the ledger and not among the
   * batches seen, and the ledger is what a resume and a rollback go by.
   */
  readonly ledger?: LedgerProgress;
}

export function summarizeRun(input: RunSummaryInput): RunSummary {
  const rowsChanged = input.ledger?.rows ?? input.batches.reduce((sum, b) => sum + b.rows, 0);
  const durationMs = Math.max(0, input.durationMs);
  return {
    rowsChanged,
    batches: input.ledger?.batches ?? input.batches.reduce((sum, b) => sum + (b.transactions ?? 1), 0),
    steps: input.batches.length,
    durationMs,
    rowsPerSecond: durationMs > 0 ? rowsChanged / (durationMs / 1000) : undefined,
    batchMs: batchTimeStats(input.batches.map((b) => b.durationMs)),
    pauses: input.pauses ?? 0,
    retries: input.retries ?? 0,
  };
}
