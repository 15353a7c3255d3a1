import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { installLedger, runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';

const ROWS = 12_000;
// Rows created before this (n < 4000) are old: 3,999 of them.
const CUTOFF = "created_at < TIMESTAMP '2020-01-03 18:40:00'";

function snapshotSql(table: string): string {
  return `SELECT id, tier, lifetime_value, note, applied_count, created_at FROM ${table} ORDER BY id`;
}

describe.each(ENGINES)('purge and archive on %s', (engine) => {
  let testDb: TestDatabase;
  let raw: RawConnection;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    raw = await connectRaw(testDb);
    db = openDatabase(testDb.url);
  });

  afterAll(async () => {
    await db?.close();
    await raw?.close();
    await testDb?.drop();
  });

  const base = {
    owner: 'test',
    engine,
    database: 'primary',
    key: 'id',
    batch: { size: 500, min: 100, max: 2000 },
  } as const;

  it('purges exactly the matching rows', async () => {
    await createAccounts(raw, engine, ROWS, 'purge_me');
    const expectedOld = Number(
      (await raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM purge_me WHERE ${CUTOFF}`))[0]!.n,
    );
    expect(expectedOld).toBe(3999);
    const keep = await raw.query(
      `${snapshotSql('purge_me')}`.replace('ORDER BY', `WHERE NOT (${CUTOFF}) ORDER BY`),
    );
    const spec = defineJob({ ...base, id: 'purge-old', table: 'purge_me', kind: 'delete', where: CUTOFF });
    await installLedger(db, spec);

    const result = await runUntilDone(spec, db);

    expect(result.rows).toBe(expectedOld);
    expect(await raw.query(snapshotSql('purge_me'))).toEqual(keep);
  });

  it('archives exactly the matching rows: moved, identical, gone from the source', async () => {
    await createAccounts(raw, engine, ROWS, 'orders');
    const like =
      engine === 'postgres'
        ? 'CREATE TABLE orders_archive (LIKE orders INCLUDING ALL)'
        : 'CREATE TABLE orders_archive LIKE orders';
    await raw.query(like);
    const originals = await raw.query(snapshotSql('orders').replace('ORDER BY', `WHERE ${CUTOFF} ORDER BY`));
    const kept = await raw.query(snapshotSql('orders').replace('ORDER BY', `WHERE NOT (${CUTOFF}) ORDER BY`));
    const spec = defineJob({
      ...base,
      id: 'archive-old',
      table: 'orders',
      kind: 'archive',
      where: CUTOFF,
      archiveTable: 'orders_archive',
    });
    expect((await runPreflight({ spec, db })).ok).toBe(true);
    await installLedger(db, spec);

    const result = await runUntilDone(spec, db);

    expect(result.rows).toBe(originals.length);
    expect(await raw.query(snapshotSql('orders_archive'))).toEqual(originals);
    expect(await raw.query(snapshotSql('orders'))).toEqual(kept);
  });
});
