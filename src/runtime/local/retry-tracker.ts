import type { Retrier } from './definition';

/**
 * Emulates what the local interpreter lacks: `$$.State.RetryCount` (ApplyBatch passes it to its
 * handler, which pauses the job once the job's own retry budget is spent) and scaled retry delays.
 * It mirrors the ASL rules: a retrier matches by error name, States.ALL or States.TaskFailed, and
 * stops matching after MaxAttempts; any success or unretried error starts the count afresh.
 */
export class RetryTracker {
  private state: string | undefined;
  private attempts: number[] = [];
  private count = 0;
  /** Delay before the pending retry, already scaled to local time. */
  delayMs = 0;

  constructor(
    private readonly retriersOf: (state: string) => readonly Retrier[],
    private readonly toMs: (seconds: number) => number,
  ) {}

  /** `$$.State.RetryCount` of the state about to run. */
  get retryCount(): number {
    return this.count;
  }

  succeeded(): void {
    this.reset(undefined);
  }

  failed(state: string, errorName: string): void {
    if (state !== this.state) this.reset(state);
    const retriers = this.retriersOf(state);
    const i = retriers.findIndex((r) =>
      r.ErrorEquals.some((e) => e === errorName || e === 'States.ALL' || e === 'States.TaskFailed'),
    );
    const retrier = retriers[i];
    const attempts = this.attempts[i] ?? 0;
    if (!retrier || attempts >= (retrier.MaxAttempts ?? 3)) {
      this.reset(undefined);
      return;
    }
    this.attempts[i] = attempts + 1;
    this.count++;
    const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempts;
    this.delayMs = this.toMs(Math.min(seconds, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY));
  }

  private reset(state: string | undefined): void {
    this.state = state;
    this.attempts = [];
    this.count = 0;
    this.delayMs = 0;
  }
}
