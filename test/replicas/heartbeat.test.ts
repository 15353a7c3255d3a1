import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beat,
  HEARTBEAT_TABLE,
  HeartbeatNotInstalledError,
  HeartbeatSourceError,
  installHeartbeat,
  MAX_SOURCE_LENGTH,
  probeHeartbeatLag,
  readHeartbeatLag,
  startHeartbeat,
} from '../../src/db/heartbeat';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';

/** The heartbeat on one server (primary and "replica" the same): its table, rows and precision. */
describe.each(ENGINES)('heartbeat on %s', (engine) => {
  let testDb: TestDatabase;
  let db: Database;
  let raw: RawConnection;

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    db = openDatabase(testDb.url);
    raw = await connectRaw(testDb);
  });

  afterAll(async () => {
    await raw?.close();
    await db?.close();
    await testDb?.drop();
  });

  const beatTimes = async (table = HEARTBEAT_TABLE.name) => {
    const text =
      engine === 'postgres'
        ? `SELECT source, extract(epoch FROM beat_at)::float8 AS t FROM ${table} ORDER BY source`
        : `SELECT source, TIMESTAMPDIFF(MICROSECOND, '1970-01-01', beat_at) / 1000000 AS t FROM ${table} ORDER BY source`;
    return (await raw.query<{ source: string; t: unknown }>(text)).map((r) => ({
      source: r.source,
      t: Number(r.t),
    }));
  };

  it('reads null, not zero, before the table exists and before a source has beaten', async () => {
    expect(await readHeartbeatLag(db, 'job-a')).toBeNull();
    await expect(probeHeartbeatLag(db, db, 'job-a', { timeoutMs: 100 })).rejects.toBeInstanceOf(
      HeartbeatNotInstalledError,
    );
    await installHeartbeat(db);
    expect(await readHeartbeatLag(db, 'job-a')).toBeNull();
  });

  it('installs idempotently and keeps one row per source, updated in place', async () => {
    await installHeartbeat(db);
    await installHeartbeat(db);
    await beat(db, 'job-a');
    const [first] = await beatTimes();
    await new Promise((r) => setTimeout(r, 20));
    await beat(db, 'job-a');
    await beat(db, 'job-b');
    const rows = await beatTimes();
    expect(rows.map((r) => r.source)).toEqual(['job-a', 'job-b']);
    expect(rows[0]!.t).toBeGreaterThan(first!.t);
  });

  it("stores the server's own time with sub-second precision", async () => {
    await installHeartbeat(db);
    await beat(db, 'precise');
    const [row] = (await beatTimes()).filter((r) => r.source === 'precise');
    // Server time now, from the same clock, within a second; and not truncated to whole seconds.
    const { now } = (
      await raw.query<{ now: unknown }>(
        engine === 'postgres'
          ? 'SELECT extract(epoch FROM clock_timestamp())::float8 AS now'
          : "SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', UTC_TIMESTAMP(6)) / 1000000 AS now",
      )
    )[0]!;
    expect(Math.abs(Number(now) - row!.t)).toBeLessThan(1);
    const fractions = new Set<string>();
    for (let i = 0; i < 3; i++) {
      await beat(db, 'precise');
      const [r] = (await beatTimes()).filter((x) => x.source === 'precise');
      fractions.add((r!.t % 1).toFixed(6));
    }
    expect(fractions.size).toBeGreaterThan(1);
  });

  it('reads the age of the newest beat in seconds, growing until the next beat', async () => {
    await installHeartbeat(db);
    await beat(db, 'ageing');
    const fresh = await readHeartbeatLag(db, 'ageing');
    expect(fresh).not.toBeNull();
    expect(fresh!).toBeGreaterThanOrEqual(0);
    expect(fresh!).toBeLessThan(0.5);
    await new Promise((r) => setTimeout(r, 600));
    const older = await readHeartbeatLag(db, 'ageing');
    expect(older!).toBeGreaterThanOrEqual(0.5);
    await beat(db, 'ageing');
    expect((await readHeartbeatLag(db, 'ageing'))!).toBeLessThan(0.5);
  });

  it('uses a table the caller names, and refuses one that is not a plain identifier', async () => {
    const table = { name: 'ops_heartbeat' };
    await installHeartbeat(db, { table });
    await beat(db, 'custom', { table });
    expect(await readHeartbeatLag(db, 'custom', { table })).not.toBeNull();
    expect((await beatTimes('ops_heartbeat')).map((r) => r.source)).toEqual(['custom']);
    await expect(installHeartbeat(db, { table: { name: 'x; DROP TABLE y' } })).rejects.toThrow(/identifier/);
  });

  it('refuses an empty or oversized source with a message saying what fits', async () => {
    await expect(beat(db, '')).rejects.toBeInstanceOf(HeartbeatSourceError);
    await expect(readHeartbeatLag(db, 'x'.repeat(MAX_SOURCE_LENGTH + 1))).rejects.toThrow(
      /1 to 191 characters/,
    );
    await installHeartbeat(db);
    const longest = 'y'.repeat(MAX_SOURCE_LENGTH);
    await beat(db, longest);
    expect(await readHeartbeatLag(db, longest)).not.toBeNull();
  });

  it('keeps beating in the background until stopped', async () => {
    await installHeartbeat(db);
    const loop = startHeartbeat(db, 'loop', { intervalMs: 50 });
    await new Promise((r) => setTimeout(r, 600));
    await loop.stop();
    expect(loop.lastError).toBeUndefined();
    expect(loop.beats).toBeGreaterThanOrEqual(3);
    const stoppedAt = loop.beats;
    await new Promise((r) => setTimeout(r, 200));
    expect(loop.beats).toBe(stoppedAt);
    expect((await readHeartbeatLag(db, 'loop'))!).toBeGreaterThanOrEqual(0.2);
  });

  it('probes: the beat it writes is there at once when primary and reader are the same server', async () => {
    await installHeartbeat(db);
    const lag = await probeHeartbeatLag(db, db, 'probe', { timeoutMs: 2_000 });
    expect(lag).not.toBeNull();
    expect(lag!).toBeGreaterThanOrEqual(0);
    expect(lag!).toBeLessThan(1);
  });
});
