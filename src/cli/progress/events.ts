/** What a run reports as it goes; the renderers are pure functions of these. Times are epoch ms. */
export type ProgressEvent =
  | { readonly type: 'started'; readonly jobId: string; readonly estimatedRows?: number; readonly at: number }
  | {
      /** One apply step: its transactions, each a batch with its own ledger row. */
      readonly type: 'batch';
      /** The step's last batch. */
      readonly batchNo: number;
      /** Rows the step changed. */
      readonly rows: number;
      /** Rows changed by the job so far, all runs included (the ledger's total). */
      readonly rowsDone: number;
      /** Rows a transaction of the step selected, on average (the adaptive size they ran with). */
      readonly batchSize: number;
      /** The step's, from its first transaction's start to its last one's end. */
      readonly durationMs: number;
      /** Transactions the step committed (absent: 1). */
      readonly transactions?: number;
      /** The longest of them: how long a row lock was held at most (absent: durationMs). */
      readonly longestTransactionMs?: number;
      readonly at: number;
    }
  /** The health gate held the job back (alarm, lag, load, pause requested). */
  | { readonly type: 'waiting'; readonly reason: string; readonly at: number }
  /** A batch hit a lock or statement timeout and is retried smaller. */
  | { readonly type: 'retry'; readonly reason: string; readonly at: number }
  | { readonly type: 'finished'; readonly outcome: string; readonly reason?: string; readonly at: number };

/**
 * The estimate is what preflight expects this run to change (rows still matching the job), so
 * percent and ETA compare it with this run's rows, not with a total that includes earlier runs.
 */
export interface ProgressState {
  readonly jobId: string;
  readonly estimatedRows?: number;
  readonly startedAt: number;
  readonly rowsDone: number;
  /** Rows changed by this run (rowsDone includes earlier runs). */
  readonly runRows: number;
  /** Batches (transactions, each with its ledger row) this run committed. */
  readonly batches: number;
  /** Apply steps (ApplyBatch invocations) that committed them. */
  readonly steps: number;
  readonly batchSize?: number;
  /** The last few batches, for the rate: rows, end time and duration. */
  readonly recent: ReadonlyArray<{ readonly rows: number; readonly at: number; readonly durationMs: number }>;
  readonly waits: number;
  readonly retries: number;
  /** What the job is doing when not applying batches (waiting, retrying, finished). */
  readonly note?: string;
  readonly finished: boolean;
  /** How the run ended, once it has. */
  readonly outcome?: string;
  /** When the last plain line was printed, to keep non-terminal output to about one line a second. */
  readonly lastLineAt?: number;
}

/** Batches the rate is measured over: smooths one slow batch, follows a real change. */
export const RATE_WINDOW = 10;

export function initialProgress(jobId: string, at: number, estimatedRows?: number): ProgressState {
  return {
    jobId,
    estimatedRows,
    startedAt: at,
    rowsDone: 0,
    runRows: 0,
    batches: 0,
    steps: 0,
    recent: [],
    waits: 0,
    retries: 0,
    finished: false,
  };
}

export function reduceProgress(state: ProgressState, event: ProgressEvent): ProgressState {
  switch (event.type) {
    case 'started':
      return {
        ...state,
        jobId: event.jobId,
        estimatedRows: event.estimatedRows ?? state.estimatedRows,
        startedAt: event.at,
      };
    case 'batch':
      return {
        ...state,
        rowsDone: event.rowsDone,
        runRows: state.runRows + event.rows,
        batches: state.batches + (event.transactions ?? 1),
        steps: state.steps + 1,
        batchSize: event.batchSize,
        recent: [...state.recent, { rows: event.rows, at: event.at, durationMs: event.durationMs }].slice(
          -RATE_WINDOW,
        ),
        note: undefined,
      };
    case 'waiting':
      return { ...state, waits: state.waits + 1, note: `waiting: ${event.reason}` };
    case 'retry':
      return { ...state, retries: state.retries + 1, note: `retrying: ${event.reason}` };
    case 'finished':
      return {
        ...state,
        finished: true,
        outcome: event.outcome,
        note: event.reason ? `${event.outcome}: ${event.reason}` : event.outcome,
      };
  }
}

/**
 * Rows per second over the recent batches, by the wall clock from the first one's start to the
 * last one's end, so pacing between batches counts: it is part of how long the rest will take.
 */
export function recentRate(state: Pick<ProgressState, 'recent'>): number | undefined {
  const { recent } = state;
  if (recent.length === 0) return undefined;
  const first = recent[0]!;
  const last = recent[recent.length - 1]!;
  const seconds = (last.at - (first.at - first.durationMs)) / 1000;
  if (seconds <= 0) return undefined;
  return recent.reduce((sum, b) => sum + b.rows, 0) / seconds;
}

/** Seconds left at the recent rate, undefined when unknown (no estimate, no rate, or past the estimate). */
export function etaSeconds(state: ProgressState): number | undefined {
  if (state.outcome === 'completed') return 0;
  const rate = recentRate(state);
  if (state.estimatedRows === undefined || rate === undefined || rate <= 0) return undefined;
  const left = state.estimatedRows - state.runRows;
  return left > 0 ? left / rate : undefined;
}

export function percent(state: ProgressState): number | undefined {
  if (state.outcome === 'completed') return 100;
  if (state.estimatedRows === undefined) return undefined;
  if (state.estimatedRows <= 0) return 100;
  return Math.min(100, (state.runRows / state.estimatedRows) * 100);
}
