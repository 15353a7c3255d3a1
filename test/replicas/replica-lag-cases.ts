import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HeartbeatLoop,
  installHeartbeat,
  probeHeartbeatLag,
  readHeartbeatLag,
  startHeartbeat,
} from '../../src/db/heartbeat';
import { openDatabase } from '../../src/db/open-database';
import { type Database, DbError, type ReplicaLag, type ReplicaTarget } from '../../src/db/types';
import type { ReplicaControl, ReplicaPair } from '../support/replicas';
import { waitUntil } from '../support/replicas/wait-until';

export const HEARTBEAT_SOURCE = 'replica-rig';

/** What one engine's file adds to the shared cases. */
export interface ReplicaLagSuite<C extends ReplicaControl> {
  readonly title: string;
  start(): Promise<ReplicaPair<C>>;
  /** Words the adapter's detail must use when the replica stopped applying (replay paused, SQL thread). */
  readonly applyStoppedDetail: RegExp;
  /** The same when it stopped receiving (WAL receiver gone, IO thread). */
  readonly ioStoppedDetail: RegExp;
  /** Engine-specific cases, run against the same pair after the shared ones. */
  extra?(ctx: () => SuiteContext<C>): void;
}

export interface SuiteContext<C extends ReplicaControl> {
  readonly pair: ReplicaPair<C>;
  readonly primary: Database;
  readonly replica: Database;
  readonly target: ReplicaTarget;
  readLag(): Promise<ReplicaLag>;
  heartbeatLag(): Promise<number | null>;
  /** Stops lowtide's heartbeat, leaving the primary idle; resumeHeartbeat starts it again. */
  pauseHeartbeat(): Promise<void>;
  resumeHeartbeat(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The cases every engine must pass against a real replica: lag read correctly when idle, when the
 * replica stops applying, stops receiving, or dies, and healthy again once it is back.
 */
export function describeReplicaLag<C extends ReplicaControl>(suite: ReplicaLagSuite<C>): void {
  describe(suite.title, () => {
    let pair: ReplicaPair<C>;
    let primary: Database;
    let replica: Database;
    let target: ReplicaTarget;
    let heartbeat: HeartbeatLoop | undefined;

    const readLag = async () => {
      const readings = await primary.replicaLag([target]);
      expect(readings).toHaveLength(1);
      return readings[0]!;
    };
    const heartbeatLag = () => readHeartbeatLag(replica, HEARTBEAT_SOURCE);
    const resumeHeartbeat = () => {
      heartbeat = startHeartbeat(primary, HEARTBEAT_SOURCE, { intervalMs: 100 });
    };
    const pauseHeartbeat = async () => {
      await heartbeat?.stop();
      heartbeat = undefined;
    };
    const ctx = (): SuiteContext<C> => ({
      pair,
      primary,
      replica,
      target,
      readLag,
      heartbeatLag,
      pauseHeartbeat,
      resumeHeartbeat,
    });

    /**
     * The replica is back: healthy by the adapter and caught up, and the heartbeat is fresh again.
     * Caught up is awaited, not asserted on the first healthy reading: a replica whose receiver
     * restarts replays the events it missed, and MySQL reports their age (a second or two) until it
     * has, while already replicating.
     */
    const waitHealthy = async (what: string) => {
      const reading = await waitUntil(
        `${what}: adapter reads the replica as healthy and under 1 s behind`,
        async () => {
          const r = await readLag();
          return r.healthy && r.lagSeconds !== null && r.lagSeconds < 1 ? r : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(reading).toMatchObject({ replica: pair.replicaName, healthy: true });
      const lag = await waitUntil(
        `${what}: heartbeat lag back under 0.5 s`,
        async () => {
          const l = await heartbeatLag();
          return l !== null && l < 0.5 ? l : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(lag).toBeGreaterThanOrEqual(0);
    };

    /** Lowtide's heartbeat shows the replica falling behind by at least `seconds`. */
    const waitHeartbeatBehind = (seconds: number) =>
      waitUntil(
        `heartbeat lag to reach ${seconds} s`,
        async () => {
          const l = await heartbeatLag();
          return l !== null && l >= seconds ? l : undefined;
        },
        { timeoutMs: 15_000 },
      );

    beforeAll(async () => {
      pair = await suite.start();
      // Shown in the test output so start-up time stays visible as the rig evolves.
      console.info(`${suite.title}: replica pair started in ${pair.startupMs} ms`);
      primary = openDatabase(pair.primaryUrl);
      replica = openDatabase(pair.replicaUrl);
      target = { name: pair.replicaName, url: pair.replicaUrl };
      await installHeartbeat(primary);
      resumeHeartbeat();
      await pair.syncReplica();
    });

    afterAll(async () => {
      await pauseHeartbeat();
      await primary?.close();
      await replica?.close();
      await pair?.stop();
    });

    it('reads an idle primary with a caught-up replica as healthy and 0 s behind, however long it idles', async () => {
      await pauseHeartbeat();
      try {
        await pair.syncReplica();
        const deadline = Date.now() + 3_500;
        const readings: ReplicaLag[] = [];
        while (Date.now() < deadline) {
          readings.push(await readLag());
          await sleep(250);
        }
        expect(readings.length).toBeGreaterThan(5);
        for (const r of readings) {
          expect(r, r.detail).toMatchObject({ replica: pair.replicaName, healthy: true, lagSeconds: 0 });
        }
      } finally {
        resumeHeartbeat();
      }
    });

    it('measures sub-second heartbeat lag while the replica keeps up', async () => {
      await waitHealthy('steady state');
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        const l = await heartbeatLag();
        expect(l).not.toBeNull();
        samples.push(l!);
        await sleep(100);
      }
      // One beat interval (100 ms) plus replication and scheduling on a busy two-core machine.
      expect(Math.max(...samples)).toBeLessThan(1);
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      // A fresh beat reaches the replica well within a second.
      const probed = await probeHeartbeatLag(primary, replica, 'probe', { timeoutMs: 5_000 });
      expect(probed).not.toBeNull();
      expect(probed!).toBeLessThan(1);
    });

    it('reads a replica that stopped applying as unhealthy, with its name and why, while heartbeat lag grows', async () => {
      await pair.control.stopApply();
      try {
        const behind = await waitHeartbeatBehind(1.5);
        expect(behind).toBeGreaterThanOrEqual(1.5);
        const reading = await readLag();
        expect(reading.healthy, reading.detail).toBe(false);
        expect(reading.replica).toBe(pair.replicaName);
        expect(reading.detail).toContain(pair.replicaName);
        expect(reading.detail).toMatch(suite.applyStoppedDetail);
        // Still growing: the replica is not merely slow, it is stuck.
        await sleep(1000);
        expect((await heartbeatLag())!).toBeGreaterThan(behind + 0.5);
        // A probe's beat never arrives: at least its timeout, or more as the replica's row says.
        const probed = await probeHeartbeatLag(primary, replica, HEARTBEAT_SOURCE, { timeoutMs: 1_000 });
        expect(probed!).toBeGreaterThanOrEqual(behind);
      } finally {
        await pair.control.startApply();
      }
      await waitHealthy('apply resumed');
    });

    it('reads a replica that stopped receiving from the primary as unhealthy, with the reason', async () => {
      await pair.control.stopIoThread();
      try {
        const reading = await waitUntil('adapter to notice the receiver stopped', async () => {
          const r = await readLag();
          return r.healthy ? undefined : r;
        });
        expect(reading.lagSeconds === null || reading.lagSeconds > 0, reading.detail).toBe(true);
        expect(reading.detail).toContain(pair.replicaName);
        expect(reading.detail).toMatch(suite.ioStoppedDetail);
        await waitHeartbeatBehind(1.5);
        // Not a blip: it stays unhealthy while the receiver is down.
        expect((await readLag()).healthy).toBe(false);
      } finally {
        await pair.control.startIoThread();
      }
      await waitHealthy('receiving again');
    });

    it('reads a killed replica as unreachable and unhealthy, and healthy again once it is back', async () => {
      await pair.control.killReplica();
      try {
        const reading = await readLag();
        expect(reading).toMatchObject({ replica: pair.replicaName, healthy: false, lagSeconds: null });
        expect(reading.detail).toContain(pair.replicaName);
        expect(reading.detail).toMatch(/connect|could not be read|ECONNREFUSED/i);
        const error = await heartbeatLag().then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(DbError);
        expect((error as DbError).kind).toBe('connection');
        await expect(
          probeHeartbeatLag(primary, replica, HEARTBEAT_SOURCE, { timeoutMs: 1_000 }),
        ).rejects.toMatchObject({ kind: 'connection' });
      } finally {
        await pair.control.restartReplica();
      }
      await waitHealthy('restarted');
    });

    suite.extra?.(ctx);
  });
}
