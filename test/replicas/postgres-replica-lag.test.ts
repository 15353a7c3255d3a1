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
