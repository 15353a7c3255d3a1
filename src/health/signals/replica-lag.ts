import type { HealthSignal, SignalReading } from '../types';

/**
 * Replica lag read from the database (each configured replica, or the primary's view of its
 * standbys). A lag that cannot be read counts as too much: a stopped replica is not a healthy one.
 */
export const replicaLag: HealthSignal = {
  name: 'replica-lag',
  description: 'replicas further behind than health.maxReplicaLagSeconds hold the job back',
  async read(ctx): Promise<SignalReading> {
    const limit = ctx.spec.health.maxReplicaLagSeconds;
    const db = await ctx.database();
    const lags = await db.replicaLag(ctx.replicas);
    if (lags.length === 0) return { signal: this.name, verdict: 'ok', reason: 'no replicas to wait for' };
    const known = lags.map((l) => l.lagSeconds).filter((s): s is number => s !== null);
    const measurements = known.length > 0 ? { replicaLagSeconds: Math.max(...known) } : undefined;
    const behind = lags.filter((l) => !l.healthy || l.lagSeconds === null || l.lagSeconds > limit);
    if (behind.length === 0) {
      return { signal: this.name, verdict: 'ok', reason: `replicas within ${limit}s`, measurements };
    }
    const reason = behind
      .map((l) =>
        l.lagSeconds === null || !l.healthy
          ? `replica ${l.replica}: ${l.detail}`
          : `replica ${l.replica} is ${l.lagSeconds.toFixed(1)}s behind (limit ${limit}s)`,
      )
      .join('; ');
    return { signal: this.name, verdict: 'wait', pauseReason: 'replica-lag', reason, measurements };
  },
};
