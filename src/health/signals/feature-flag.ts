import { describeOff, readFlags } from '../flag-state';
import type { HealthSignal, SignalReading } from '../types';

/**
 * Feature flags that gate the job: the job's own `health.featureFlag` and the deployment's
 * `config.featureFlag`, one kill switch for every job. Off (or unreadable) holds the job back after
 * its current batch with reason `flag:<name>`: with autoResume it waits and goes on once the flag
 * is on again; without, the run ends Paused until an operator resumes.
 */
export const featureFlag: HealthSignal = {
  name: 'feature-flag',
  description: 'a feature flag that gates the job is off (or cannot be read)',
  async read(ctx): Promise<SignalReading> {
    if (ctx.featureFlags.length === 0)
      return { signal: this.name, verdict: 'ok', reason: 'no feature flag gates this job' };
    const readings = await readFlags(ctx.flags, ctx.featureFlags);
    const off = readings.filter((r) => !r.enabled);
    const first = off[0];
    if (!first) {
      const names = readings.map((r) => r.ref.flag).join(', ');
      return { signal: this.name, verdict: 'ok', reason: `feature flags on: ${names}` };
    }
    return {
      signal: this.name,
      verdict: ctx.spec.health.autoResume ? 'wait' : 'pause',
      pauseReason: `flag:${first.ref.flag}`,
      reason: `flag:${first.ref.flag}: ${off.map(describeOff).join('; ')}`,
    };
  },
};
