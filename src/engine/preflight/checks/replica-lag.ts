import { type PreflightCheck, pass, refuse } from '../types';

/** Lag that cannot be read is refused like lag that is too high: never assumed to be zero. */
export const replicaLag: PreflightCheck = {
  name: 'replica-lag',
  description: 'Every replica is reachable, replicating, and within health.maxReplicaLagSeconds.',
  async run({ spec, db, replicas }) {
    const readings = await db.replicaLag(replicas);
    const max = spec.health.maxReplicaLagSeconds;
    if (readings.length === 0) return pass(this.name, 'no replicas configured or attached');
    return readings.map((r) => {
      const name = `replica-lag:${r.replica}`;
      if (!r.healthy || r.lagSeconds === null)
        return refuse(name, `${r.detail}: fix replication before starting`);
      if (r.lagSeconds > max)
        return refuse(
          name,
          `${r.replica} is ${r.lagSeconds}s behind (limit ${max}s): wait for it to catch up`,
        );
      return pass(name, `${r.replica} is ${r.lagSeconds}s behind (limit ${max}s)`);
    });
  },
};
