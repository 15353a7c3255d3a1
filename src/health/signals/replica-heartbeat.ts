import {
  HeartbeatNotInstalledError,
  installHeartbeat,
  MAX_SOURCE_LENGTH,
  probeHeartbeatLag,
} from '../../db/heartbeat';
import { openDatabase } from '../../db/open-database';
import type { Database, ReplicaTarget } from '../../db/types';

/**
 * The longest a gate watches a replica for its beat. The gate is a Lambda invocation between
 * batches: a replica far behind must not keep it busy, and a lag beyond this is still known to be
 * at least this long.
 */
export const MAX_PROBE_MS = 2_000;

const installed = new WeakMap<Database, Promise<void>>();

/**
 * Creates the heartbeat table on the primary, once per process and primary. A failure is not
 * remembered, so a grant given later takes effect at the next gate.
 */
export function ensureHeartbeat(primary: Database): Promise<void> {
  let done = installed.get(primary);
  if (!done) {
    done = installHeartbeat(primary);
    installed.set(primary, done);
    done.catch(() => installed.delete(primary));
  }
  return done;
}

/** One row per job and replica, so concurrent gates never wait for each other's beats. */
export function heartbeatSource(jobId: string, replica: string): string {
  return `${jobId}@${replica}`.slice(0, MAX_SOURCE_LENGTH);
}

export interface HeartbeatProbe {
  /** Seconds a write made now took to reach the replica; at least the timeout when `timedOut`. */
  readonly lagSeconds: number | null;
  /** The beat had not arrived within the timeout: the lag is at least that long. */
  readonly timedOut: boolean;
}

/**
 * Beats on the primary and times the beat's arrival on the replica, over a connection opened for
 * this probe alone (the gate runs rarely; a pool per replica would outlive it in every process).
 */
export async function probeReplica(
  primary: Database,
  target: ReplicaTarget,
  source: string,
  timeoutMs: number,
): Promise<HeartbeatProbe> {
  await ensureHeartbeat(primary);
  const replica = openDatabase(target.url, { poolSize: 1 });
  try {
    const lagSeconds = await probeHeartbeatLag(primary, replica, source, { timeoutMs });
    return { lagSeconds, timedOut: lagSeconds === null || lagSeconds >= timeoutMs / 1000 };
  } catch (error) {
    // Someone dropped the table since it was installed: create it again at the next gate.
    if (error instanceof HeartbeatNotInstalledError) installed.delete(primary);
    throw error;
  } finally {
    await replica.close().catch(() => undefined);
  }
}
