import type { HealthSignal, SignalReading } from '../types';

/**
 * Database load (pt-archiver's --max-load): PostgreSQL backends in state active, MySQL
 * Threads_running, against the job's health.maxActiveSessions. Off when the job sets no limit.
 */
export const databaseLoad: HealthSignal = {
  name: 'database-load',
  description: 'more active sessions than health.maxActiveSessions hold the job back',
  async read(ctx): Promise<SignalReading> {
    const limit = ctx.spec.health.maxActiveSessions;
    if (limit === undefined) return { signal: this.name, verdict: 'ok', reason: 'no load limit set' };
    const db = await ctx.database();
    const active = await db.activeSessions();
    const measurements = { activeSessions: active };
    if (active > limit) {
      return {
        signal: this.name,
        verdict: 'wait',
        reason: `${active} active sessions on the database (limit ${limit}); waiting for the load to drop`,
        measurements,
      };
    }
    return {
      signal: this.name,
      verdict: 'ok',
      reason: `${active} active sessions (limit ${limit})`,
      measurements,
    };
  },
};
