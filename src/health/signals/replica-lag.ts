import type { Database, ReplicaLag, ReplicaTarget } from '../../db/types';
import type { HealthContext, HealthSignal, SignalReading } from '../types';
import { ensureHeartbeat, heartbeatSource, MAX_PROBE_MS, probeReplica } from './replica-heartbeat';

/**
 * Once replica lag holds the job back, it goes on only when the lag is below this share of
 * health.maxReplicaLagSeconds. Resuming right at the limit lets the next batch push the replica
 * straight back over it: the job would flap between one batch and one wait.
 */
export const RESUME_LAG_RATIO = 0.5;

const SIGNAL = 'replica-lag';

/** One replica's lag as the gate judges it: the adapter's view, sharpened by a heartbeat probe. */
interface Measured {
  readonly reading: ReplicaLag;
  readonly lagSeconds: number | null;
  /** The probe's beat did not arrive in time: the lag is at least `probeSeconds`. */
  readonly timedOut: boolean;
  readonly probeSeconds: number;
}

/**
 * Replica lag read from the database (each configured replica, or the primary's view of its
 * standbys). A lag that cannot be read counts as too much: a stopped replica is not a healthy one.
 *
 * A replica the adapter reads as healthy is then probed with lowtide's heartbeat (a beat on the
 * primary, timed until it shows on the replica), so the figure is the delay a write suffers now:
 * never the stale replay timestamp of an idle primary, and sub-second where the servers count in
 * seconds. The heartbeat table is created on the primary by the first gate of a process; a dry run
 * or a preflight never gets here, so they write nothing.
 */
export const replicaLag: HealthSignal = {
  name: SIGNAL,
  description: `replicas further behind than health.maxReplicaLagSeconds hold the job back until they are below ${RESUME_LAG_RATIO * 100}% of it`,
  async read(ctx): Promise<SignalReading> {
    const limit = ctx.spec.health.maxReplicaLagSeconds;
    const holding = ctx.heldBy?.includes(SIGNAL) ?? false;
    const resumeBelow = limit * RESUME_LAG_RATIO;
    const db = await ctx.database();
    const readings = await db.replicaLag(ctx.replicas);
    if (readings.length === 0) return { signal: SIGNAL, verdict: 'ok', reason: 'no replicas to wait for' };
    const { measured, note } = await measure(db, readings, ctx);

    const known = measured.map((m) => m.lagSeconds).filter((s): s is number => s !== null);
    const measurements = known.length > 0 ? { replicaLagSeconds: Math.max(...known) } : undefined;
    const tooFar = (m: Measured) =>
      holding
        ? m.lagSeconds! >= resumeBelow || (m.timedOut && m.probeSeconds >= resumeBelow)
        : m.lagSeconds! > limit || (m.timedOut && m.probeSeconds >= limit);
    const behind = measured.filter((m) => !m.reading.healthy || m.lagSeconds === null || tooFar(m));
    if (behind.length === 0) {
      const reason = holding
        ? `replicas back below ${resumeBelow}s (limit ${limit}s)${note}`
        : `replicas within ${limit}s${note}`;
      return { signal: SIGNAL, verdict: 'ok', reason, measurements };
    }
    const held = holding ? `; held until below ${resumeBelow}s` : '';
    const reason = behind
      .map(({ reading, lagSeconds }) =>
        lagSeconds === null || !reading.healthy
          ? `replica ${reading.replica}: ${reading.detail}`
          : `replica ${reading.replica} is ${lagSeconds.toFixed(1)}s behind (limit ${limit}s${held})`,
      )
      .join('; ');
    return { signal: SIGNAL, verdict: 'wait', pauseReason: 'replica-lag', reason, measurements };
  },
};

/**
 * Probes every healthy replica the job has a URL for, in parallel. Without a heartbeat table (no
 * grant to create it) the adapter's figures stand, and the reason says why.
 */
async function measure(
  db: Database,
  readings: readonly ReplicaLag[],
  ctx: HealthContext,
): Promise<{ measured: Measured[]; note: string }> {
  const limit = ctx.spec.health.maxReplicaLagSeconds;
  const probeMs = Math.min(limit * 1000, MAX_PROBE_MS);
  const unprobed = (reading: ReplicaLag): Measured => ({
    reading,
    lagSeconds: reading.lagSeconds,
    timedOut: false,
    probeSeconds: 0,
  });
  const targets = new Map(ctx.replicas.map((t) => [t.name, t]));
  const probed = readings.filter((r) => r.healthy && targets.has(r.replica));
  if (probed.length === 0) return { measured: readings.map(unprobed), note: '' };
  try {
    await ensureHeartbeat(db);
  } catch (error) {
    const why = `; lowtide's heartbeat table could not be created, so the servers' own lag figures were used: ${(error as Error).message}`;
    return { measured: readings.map(unprobed), note: why };
  }
  const measured = await Promise.all(
    readings.map((reading) => {
      const target = targets.get(reading.replica);
      return reading.healthy && target
        ? probeOne(db, reading, target, ctx.spec.id, probeMs)
        : unprobed(reading);
    }),
  );
  return { measured, note: '' };
}

async function probeOne(
  db: Database,
  reading: ReplicaLag,
  target: ReplicaTarget,
  jobId: string,
  probeMs: number,
): Promise<Measured> {
  const probeSeconds = probeMs / 1000;
  try {
    const probe = await probeReplica(db, target, heartbeatSource(jobId, target.name), probeMs);
    if (!probe.timedOut) return { reading, lagSeconds: probe.lagSeconds, timedOut: false, probeSeconds };
    // Not arrived in time: at least the timeout, and at most what either reading says it has replayed.
    const ceilings = [probe.lagSeconds, reading.lagSeconds].filter((s): s is number => s !== null);
    const ceiling = ceilings.length > 0 ? Math.min(...ceilings) : probeSeconds;
    return { reading, lagSeconds: Math.max(probeSeconds, ceiling), timedOut: true, probeSeconds };
  } catch (error) {
    const detail = `replica ${reading.replica}: lowtide's heartbeat could not be probed: ${(error as Error).message}`;
    return {
      reading: { ...reading, healthy: false, lagSeconds: null, detail },
      lagSeconds: null,
      timedOut: false,
      probeSeconds,
    };
  }
}
