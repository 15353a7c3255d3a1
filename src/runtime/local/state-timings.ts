/** The fields of an ASL state that decide how long the interpreter pauses in it. */
export type TimedState = { Type: string; Seconds?: number; SecondsPath?: string };

export interface TimingSources {
  /** Milliseconds one ASL second lasts locally. */
  readonly msPerSecond: number;
  /** The `waitSeconds` the last Task returned: what a Wait state's `SecondsPath` reads in our ASL. */
  readonly lastWaitSeconds: () => number;
  /** The back-off the retry tracker computed for the Task that just failed. */
  readonly retryDelayMs: () => number;
}

/**
 * The `waitTimeOverrides` and `retryIntervalOverrides` for aws-local-stepfunctions: one entry per
 * Wait and Task state. Entries are getters because a Wait's length and a retry's back-off are only
 * known when the interpreter reaches the state, after an earlier Task has returned or failed.
 */
export function stateTimings(
  states: Readonly<Record<string, TimedState>>,
  sources: TimingSources,
): { waits: Record<string, number>; backoffs: Record<string, number> } {
  const { msPerSecond, lastWaitSeconds, retryDelayMs } = sources;
  const waits: Record<string, number> = {};
  const backoffs: Record<string, number> = {};
  for (const [name, def] of Object.entries(states)) {
    if (def.Type === 'Wait') {
      Object.defineProperty(waits, name, {
        enumerable: true,
        get: () => Math.round((def.Seconds ?? (def.SecondsPath ? lastWaitSeconds() : 0)) * msPerSecond),
      });
    }
    if (def.Type === 'Task') Object.defineProperty(backoffs, name, { enumerable: true, get: retryDelayMs });
  }
  return { waits, backoffs };
}
