import type { HealthSignal, SignalReading } from '../types';

/**
 * Abort and pause requests recorded on the job (console, CLI, the alarm handler). Cooperative: the
 * gate runs between batches, so a request takes effect after the current batch. Alarm requests of
 * a job with autoResume are the alarms signal's business: it knows whether the alarm is still on.
 */
export const controlRequests: HealthSignal = {
  name: 'control-requests',
  description: 'abort and pause requests recorded on the job',
  async read({ spec, state }): Promise<SignalReading> {
    if (state.abortRequest) {
      const { by, reason } = state.abortRequest;
      return {
        signal: this.name,
        verdict: 'abort',
        reason: `abort requested by ${by}${reason ? `: ${reason}` : ''}`,
      };
    }
    const sticky = state.pauseRequests.filter(
      (r) => !(r.reason.startsWith('alarm:') && spec.health.autoResume),
    );
    const first = sticky[0];
    if (first) {
      return {
        signal: this.name,
        verdict: 'pause',
        pauseReason: first.reason,
        reason: `paused (${first.reason}) by ${first.by}${first.message ? `: ${first.message}` : ''}; resume the job to continue`,
      };
    }
    return { signal: this.name, verdict: 'ok', reason: 'no abort or pause requested' };
  },
};
