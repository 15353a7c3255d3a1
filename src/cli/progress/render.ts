import { count, duration, rate } from '../format/units';
import { etaSeconds, type ProgressEvent, type ProgressState, percent, recentRate } from './events';

const BAR_WIDTH = 24;
/** Non-terminal output prints a batch line at most this often (waits, retries and the end always). */
export const PLAIN_LINE_INTERVAL_MS = 1000;

function bar(fraction: number | undefined, width: number): string {
  if (fraction === undefined) return `[${'?'.repeat(width)}]`;
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function rowsText(state: ProgressState): string {
  return state.estimatedRows === undefined
    ? `${count(state.runRows)} rows`
    : `${count(state.runRows)}/${count(state.estimatedRows)} rows`;
}

function etaText(state: ProgressState): string {
  const eta = etaSeconds(state);
  return eta === undefined ? 'ETA ?' : `ETA ${duration(eta * 1000)}`;
}

/**
 * The terminal's one-line bar, redrawn in place: `[####----] 45% 45,000/100,000 rows 12,300
 * rows/s batch 1,440 ETA 4.5 s`, then what the job is waiting for, if anything. Cut to `columns`.
 */
export function formatBar(state: ProgressState, columns = 100): string {
  const pct = percent(state);
  const parts = [
    bar(pct === undefined ? undefined : pct / 100, BAR_WIDTH),
    pct === undefined ? '  ?%' : `${pct.toFixed(0).padStart(3)}%`,
    rowsText(state),
    rate(recentRate(state)),
    `batch ${state.batchSize === undefined ? '?' : count(state.batchSize)}`,
    etaText(state),
  ];
  if (state.note) parts.push(`| ${state.note}`);
  const line = parts.join('  ');
  return line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

/**
 * The line printed for an event when output is not a terminal (a log, CI), or undefined to print
 * nothing. Batches are printed about once a second; waits, retries and the end always.
 */
export function formatPlainLine(
  before: ProgressState,
  after: ProgressState,
  event: ProgressEvent,
): string | undefined {
  switch (event.type) {
    case 'started':
      return `job ${after.jobId}: started${after.estimatedRows === undefined ? '' : `, about ${count(after.estimatedRows)} rows to change`}`;
    case 'batch': {
      const due =
        before.lastLineAt === undefined ||
        before.batches === 0 ||
        event.at - before.lastLineAt >= PLAIN_LINE_INTERVAL_MS;
      if (!due) return undefined;
      const pct = percent(after);
      return (
        `${stepText(event)}: ${count(event.rows)} rows in ${duration(event.durationMs)} | ${rowsText(after)}` +
        `${pct === undefined ? '' : ` (${pct.toFixed(0)}%)`} | ${rate(recentRate(after))} | batch size ${count(event.batchSize)} | ${etaText(after)}`
      );
    }
    case 'waiting':
      return `waiting: ${event.reason}`;
    case 'retry':
      return `retrying: ${event.reason}`;
    case 'finished':
      return `job ${after.jobId}: ${event.outcome}${event.reason ? ` (${event.reason})` : ''} after ${count(after.runRows)} rows in ${count(after.batches)} batches${stepsText(after)}`;
  }
}

/** `batch 7`, or for a step of several transactions `batch 7 (batches 3..7, 5 transactions, longest 41 ms)`. */
function stepText(event: Extract<ProgressEvent, { type: 'batch' }>): string {
  const n = event.transactions ?? 1;
  if (n <= 1) return `batch ${event.batchNo}`;
  const longest =
    event.longestTransactionMs === undefined ? '' : `, longest ${duration(event.longestTransactionMs)}`;
  return `batch ${event.batchNo} (batches ${event.batchNo - n + 1}..${event.batchNo}, ${n} transactions${longest})`;
}

/** ` (in 4 apply steps)` when the batches were fewer steps than batches; nothing otherwise. */
function stepsText(state: ProgressState): string {
  return state.steps > 0 && state.steps < state.batches ? ` (in ${count(state.steps)} apply steps)` : '';
}

/** Whether printing `line` for `event` counts as the batch line of the throttle. */
export function markPrinted(state: ProgressState, event: ProgressEvent, printed: boolean): ProgressState {
  return printed && event.type === 'batch' ? { ...state, lastLineAt: event.at } : state;
}
