import { initialProgress, type ProgressEvent, type ProgressState, reduceProgress } from './events';
import { formatBar, formatPlainLine, markPrinted } from './render';

export interface ProgressSink {
  handle(event: ProgressEvent): void;
  /** Ends the bar's line so later output starts on a fresh one. */
  close(): void;
  readonly state: ProgressState;
}

interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Draws progress on `stream`: a bar redrawn in place on a terminal, plain lines otherwise. The
 * drawing is `formatBar` / `formatPlainLine`; this only keeps the state and writes.
 */
export function createProgressRenderer(
  stream: Stream,
  options: { tty?: boolean; jobId?: string } = {},
): ProgressSink {
  const tty = options.tty ?? Boolean(stream.isTTY);
  let state = initialProgress(options.jobId ?? '', Date.now());
  let barShown = false;
  return {
    get state() {
      return state;
    },
    handle(event) {
      const before = state;
      state = reduceProgress(state, event);
      if (tty) {
        stream.write(`\r${formatBar(state, (stream.columns || 100) - 1)}\x1b[K`);
        barShown = true;
        if (event.type === 'finished') {
          stream.write('\n');
          barShown = false;
        }
        return;
      }
      const line = formatPlainLine(before, state, event);
      if (line !== undefined) stream.write(`${line}\n`);
      state = markPrinted(state, event, line !== undefined);
    },
    close() {
      if (barShown) stream.write('\n');
      barShown = false;
    },
  };
}
