import pg from 'pg';
import { expect, it } from 'vitest';
import { startPostgresReplicaPair, waitUntil } from '../support/replicas';
import { describeReplicaLag } from './replica-lag-cases';

async function replicaQuery<R extends pg.QueryResultRow>(url: string, text: string): Promise<R> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows[0]!;
  } finally {
    await client.end();
  }
}

describeReplicaLag({
  title: 'replica lag on a real PostgreSQL streaming replica',
  start: () => startPostgresReplicaPair(),
  applyStoppedDetail: /replay paused/,
  ioStoppedDetail: /not receiving WAL/,
  extra(ctx) {
    it('is not fooled by the stale replay timestamp of an idle primary', async () => {
      const { pair, readLag, pauseHeartbeat, resumeHeartbeat } = ctx();
      await pauseHeartbeat();
      try {
        await pair.syncReplica();
        // The naive reading grows on an idle primary although nothing is behind...
        const naive = await waitUntil('the replay timestamp to go stale', async () => {
          const { age } = await replicaQuery<{ age: number }>(
            pair.replicaUrl,
            'SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS age',
          );
          return age >= 2.5 ? age : undefined;
        });
        expect(naive).toBeGreaterThanOrEqual(2.5);
        // ...while lowtide's reading stays at 0.
        expect(await readLag()).toMatchObject({ healthy: true, lagSeconds: 0 });
      } finally {
        resumeHeartbeat();
      }
    });

    it("names the replica in the primary's own view and reads it caught up", async () => {
      const { pair, primary } = ctx();
      await pair.syncReplica();
      const readings = await primary.replicaLag([]);
      const mine = readings.find((r) => r.replica === pair.replicaName);
      expect(mine, JSON.stringify(readings)).toBeDefined();
      expect(mine!.healthy, mine!.detail).toBe(true);
      expect(mine!.lagSeconds!).toBeLessThan(1);
    });

    it("reports a standby that dropped out of the primary's view by its idle replication slot", async () => {
      const { pair, primary } = ctx();
      const slots = await primary.query<{ slot_name: string }>(
        "SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical'",
      );
      expect(slots.rows).toHaveLength(1);
      const slot = slots.rows[0]!.slot_name;
      await pair.control.killReplica();
      try {
        const gone = await waitUntil('the killed standby to leave pg_stat_replication', async () => {
          const readings = await primary.replicaLag([]);
          return readings.some((r) => r.replica === pair.replicaName) ? undefined : readings;
        });
        expect(gone).toEqual([expect.objectContaining({ replica: slot, healthy: false, lagSeconds: null })]);
        expect(gone[0]!.detail).toMatch(new RegExp(`replication slot '${slot}' is not connected`));
        expect(gone[0]!.detail).toContain('pg_drop_replication_slot');
      } finally {
        await pair.control.restartReplica();
      }
      const back = await waitUntil('the standby to stream again', async () => {
        const readings = await primary.replicaLag([]);
        return readings.length === 1 && readings[0]!.healthy ? readings : undefined;
      });
      expect(back[0]!.replica).toBe(pair.replicaName);
    });

    it("reads a delayed replica's lag from lowtide's heartbeat rather than the replay timestamp", async () => {
      const { pair, readLag } = ctx();
      await pair.control.setApplyDelay(2);
      try {
        const reading = await waitUntil('the delay to show in the reading', async () => {
          const r = await readLag();
          return r.healthy && r.lagSeconds !== null && r.lagSeconds >= 1.5 ? r : undefined;
        });
        expect(reading.detail).toMatch(/heartbeat/);
        // The suite beats every 100 ms: the reading is the delay, not the time since an old write.
        expect(reading.lagSeconds!).toBeLessThan(3.5);
      } finally {
        await pair.control.setApplyDelay(0);
      }
      await pair.syncReplica();
    });

    it("shows the primary's view of lag growing while replay is paused", async () => {
      const { pair, primary } = ctx();
      await pair.control.pauseReplay();
      try {
        const reading = await waitUntil("the primary's view to show 2 s of lag", async () => {
          const r = (await primary.replicaLag([])).find((x) => x.replica === pair.replicaName);
          return r?.lagSeconds !== null && r?.lagSeconds !== undefined && r.lagSeconds >= 2 ? r : undefined;
        });
        expect(reading.detail).toContain(pair.replicaName);
      } finally {
        await pair.control.resumeReplay();
      }
    });
  },
});
