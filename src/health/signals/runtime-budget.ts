import type { HealthSignal, SignalReading } from '../types';

/** limits.maxRuntimeSeconds from the run's start (across continued executions): a clean, checkpointed stop. */
export const runtimeBudget: HealthSignal = {
  name: 'runtime-budget',
  description: 'the run stops cleanly when the next batch would exceed limits.maxRuntimeSeconds',
  async read({ spec, runStartedAt, now, nextBatchMs }): Promise<SignalReading> {
    const budgetMs = spec.limits.maxRuntimeSeconds * 1000;
    const usedMs = now.getTime() - runStartedAt.getTime();
    if (usedMs + nextBatchMs >= budgetMs) {
      return {
        signal: this.name,
        verdict: 'stop',
        reason: `runtime budget of ${spec.limits.maxRuntimeSeconds}s used (limits.maxRuntimeSeconds); the next run resumes from the checkpoint`,
      };
    }
    return {
      signal: this.name,
      verdict: 'ok',
      reason: `${Math.round(usedMs / 1000)}s of ${spec.limits.maxRuntimeSeconds}s runtime used`,
    };
  },
};
