import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { databaseLoad } from '../../src/health/signals/database-load';
import { replicaLag } from '../../src/health/signals/replica-lag';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { freePort } from '../support/replicas/free-port';
import { context, gatedJob } from './support';

describe.each(ENGINES)('health signals read from %s', (engine) => {
  let testDb: TestDatabase;
  let db: Database;
  let busy: RawConnection[];

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    db = openDatabase(testDb.url);
    busy = [await connectRaw(testDb), await connectRaw(testDb)];
  });

  afterAll(async () => {
    await db?.close();
    for (const b of busy ?? []) await b.close();
    await testDb?.drop();
  });

  const withDb = (patch: Parameters<typeof context>[0] = {}) =>
    context({ database: async () => db, ...patch });

  it('database load: off without a limit, and holds the job while more sessions are active than allowed', async () => {
    expect(await databaseLoad.read(withDb())).toMatchObject({ verdict: 'ok', reason: 'no load limit set' });
    // Two application sessions busy in a statement: more than the limit of one.
    const sleeps = Promise.all(
      busy.map((b) => b.query(engine === 'postgres' ? 'SELECT pg_sleep(1.5)' : 'SELECT SLEEP(1.5)')),
    );
    sleeps.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const strict = await databaseLoad.read(withDb({ spec: gatedJob({ maxActiveSessions: 1 }) }));
    expect(strict.verdict).toBe('wait');
    expect(strict.reason).toMatch(/active sessions on the database \(limit 1\)/);
    expect(strict.measurements?.activeSessions).toBeGreaterThanOrEqual(2);
    const roomy = await databaseLoad.read(withDb({ spec: gatedJob({ maxActiveSessions: 500 }) }));
    expect(roomy.verdict).toBe('ok');
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
