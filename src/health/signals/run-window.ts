import type { HealthSignal, SignalReading } from '../types';

/**
 * The end of the run window (from the schedule's window or the input's endsAt). The run stops
 * cleanly, checkpointed, when the next batch would not finish before the window ends.
 */
export const runWindow: HealthSignal = {
  name: 'run-window',
  description: 'the run stops cleanly when the next batch would run past the end of its window',
  async read({ windowEndsAt, now, nextBatchMs }): Promise<SignalReading> {
    if (!windowEndsAt) return { signal: this.name, verdict: 'ok', reason: 'no run window' };
    if (now.getTime() + nextBatchMs >= windowEndsAt.getTime()) {
      return {
        signal: this.name,
        verdict: 'stop',
        reason: `the run window ended at ${windowEndsAt.toISOString()}; the next run resumes from the checkpoint`,
      };
    }
    return { signal: this.name, verdict: 'ok', reason: `window open until ${windowEndsAt.toISOString()}` };
  },
};
