import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { databaseLoad } from '../../src/health/signals/database-load';
import { replicaLag } from '../../src/health/signals/replica-lag';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { freePort } from '../support/replicas/free-port';
import { waitUntil } from '../support/replicas/wait-until';
import { context, gatedJob } from './support';

describe.each(ENGINES)('health signals read from %s', (engine) => {
  let testDb: TestDatabase;
  let db: Database;
  let busy: RawConnection[];
  /** Watches and interrupts the busy sessions. */
  let observer: RawConnection;

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    db = openDatabase(testDb.url);
    busy = [await connectRaw(testDb), await connectRaw(testDb)];
    observer = await connectRaw(testDb);
  });

  afterAll(async () => {
    await db?.close();
    await observer?.close();
    for (const b of busy ?? []) await b.close();
    await testDb?.drop();
  });

  const withDb = (patch: Parameters<typeof context>[0] = {}) =>
    context({ database: async () => db, ...patch });

  it('database load: off without a limit, and holds the job while more sessions are active than allowed', async () => {
    expect(await databaseLoad.read(withDb())).toMatchObject({ verdict: 'ok', reason: 'no load limit set' });
    // Two application sessions busy in a statement until the test interrupts them: more than the
    // limit of one for as long as the reads take, however slow the machine.
    const sleeps = Promise.all(
      busy.map((b) =>
        b.query(engine === 'postgres' ? 'SELECT pg_sleep(60)' : 'SELECT SLEEP(60)').catch(() => undefined),
      ),
    );
    const ids = busy.map((b) => b.id);
    await waitUntil(
      'both busy sessions to be running their statement',
      async () => {
        const rows =
          engine === 'postgres'
            ? await observer.query(
                `SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1) AND state = 'active'`,
                [ids],
              )
            : await observer.query(
                `SELECT 1 FROM information_schema.processlist WHERE id IN (?, ?) AND command = 'Query'`,
                ids,
              );
        return rows.length === ids.length ? true : undefined;
      },
      { intervalMs: 10 },
    );
    const strict = await databaseLoad.read(withDb({ spec: gatedJob({ maxActiveSessions: 1 }) }));
    expect(strict.verdict).toBe('wait');
    expect(strict.reason).toMatch(/active sessions on the database \(limit 1\)/);
    expect(strict.measurements?.activeSessions).toBeGreaterThanOrEqual(2);
    const roomy = await databaseLoad.read(withDb({ spec: gatedJob({ maxActiveSessions: 500 }) }));
    expect(roomy.verdict).toBe('ok');
    for (const id of ids) {
      await observer.query(
        engine === 'postgres' ? 'SELECT pg_cancel_backend($1)' : `KILL QUERY ${Number(id)}`,
        engine === 'postgres' ? [id] : undefined,
      );
    }
    await sleeps;
  });

  it('replica lag: a primary with no replicas is fine; a replica that cannot be read holds the job', async () => {
    expect(await replicaLag.read(withDb())).toMatchObject({ verdict: 'ok' });
    const port = await freePort();
    const url =
      engine === 'postgres'
        ? `postgres://postgres@127.0.0.1:${port}/test`
        : `mysql://root@127.0.0.1:${port}/test`;
    const reading = await replicaLag.read(withDb({ replicas: [{ name: 'reader-1', url }] }));
    expect(reading).toMatchObject({ verdict: 'wait', pauseReason: 'replica-lag' });
    expect(reading.reason).toMatch(/reader-1/);
  });
});
