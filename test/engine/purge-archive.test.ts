import { describe, expect, it } from 'vitest';
import { installLedger, runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { ENGINES } from '../support/databases';
import { runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts } from '../support/fixtures';

const ROWS = 12_000;
// Rows created before this (n < 4000) are old: 3,999 of them.
const CUTOFF = "created_at < TIMESTAMP '2020-01-03 18:40:00'";

function snapshotSql(table: string): string {
  return `SELECT id, tier, lifetime_value, note, applied_count, created_at FROM ${table} ORDER BY id`;
}

describe.each(ENGINES)('purge and archive on %s', (engine) => {
  const t = useEngineDatabase(engine);

  const base = {
    owner: 'test',
    engine,
    database: 'primary',
    key: 'id',
    batch: { size: 500, min: 100, max: 2000 },
  } as const;

  it('purges exactly the matching rows', async () => {
    await createAccounts(t.raw, engine, ROWS, 'purge_me');
    const expectedOld = Number(
      (await t.raw.query<{ n: unknown }>(`SELECT count(*) AS n FROM purge_me WHERE ${CUTOFF}`))[0]!.n,
    );
    expect(expectedOld).toBe(3999);
    const keep = await t.raw.query(
      `${snapshotSql('purge_me')}`.replace('ORDER BY', `WHERE NOT (${CUTOFF}) ORDER BY`),
    );
    const spec = defineJob({ ...base, id: 'purge-old', table: 'purge_me', kind: 'delete', where: CUTOFF });
    await installLedger(t.db, spec);

    const result = await runUntilDone(spec, t.db);

    expect(result.rows).toBe(expectedOld);
    expect(await t.raw.query(snapshotSql('purge_me'))).toEqual(keep);
  });

  it('archives exactly the matching rows: moved, identical, gone from the source', async () => {
    await createAccounts(t.raw, engine, ROWS, 'orders');
    const like =
      engine === 'postgres'
        ? 'CREATE TABLE orders_archive (LIKE orders INCLUDING ALL)'
        : 'CREATE TABLE orders_archive LIKE orders';
    await t.raw.query(like);
    const originals = await t.raw.query(
      snapshotSql('orders').replace('ORDER BY', `WHERE ${CUTOFF} ORDER BY`),
    );
    const kept = await t.raw.query(
      snapshotSql('orders').replace('ORDER BY', `WHERE NOT (${CUTOFF}) ORDER BY`),
    );
    const spec = defineJob({
      ...base,
      id: 'archive-old',
      table: 'orders',
      kind: 'archive',
      where: CUTOFF,
      archiveTable: 'orders_archive',
    });
    expect((await runPreflight({ spec, db: t.db })).ok).toBe(true);
    await installLedger(t.db, spec);

    const result = await runUntilDone(spec, t.db);

    expect(result.rows).toBe(originals.length);
    expect(await t.raw.query(snapshotSql('orders_archive'))).toEqual(originals);
    expect(await t.raw.query(snapshotSql('orders'))).toEqual(kept);
  });
});
