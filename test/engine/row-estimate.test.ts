import { describe, expect, it } from 'vitest';
import { compileJob } from '../../src/engine/kinds/compile';
import { ENGINES, type TestEngine } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { accountsBackfill } from '../support/fixtures';
import type { RawConnection } from '../support/raw-sql';

/**
 * An accounts-like table created and filled here, never analyzed (PostgreSQL: autovacuum off, so
 * reltuples stays -1): `rows` rows, four in five with no tier.
 */
async function freshTable(raw: RawConnection, engine: TestEngine, table: string, rows: number) {
  if (engine === 'postgres') {
    await raw.query(
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, tier text, note text, applied_count int NOT NULL DEFAULT 0)
         WITH (autovacuum_enabled = off)`,
    );
    await raw.query(
      `INSERT INTO ${table} (id, tier, note) SELECT n, CASE WHEN n % 5 = 0 THEN 'legacy' END, repeat('x', 40) || n
         FROM generate_series(1, $1::int) n`,
      [rows],
    );
    return;
  }
  await raw.query(
    `CREATE TABLE ${table} (id bigint PRIMARY KEY, tier varchar(20) NULL, note text NULL,
       applied_count int NOT NULL DEFAULT 0) ENGINE=InnoDB`,
  );
  await raw.query(
    `INSERT INTO ${table} (id, tier, note) SELECT seq, CASE WHEN seq % 5 = 0 THEN 'legacy' END,
       CONCAT(REPEAT('x', 40), seq) FROM seq_1_to_${rows}`,
  );
}

describe.each(ENGINES)('the estimate of rows a job will change on %s', (engine) => {
  const t = useEngineDatabase(engine);
  const estimate = async (table: string) => {
    const spec = accountsBackfill(engine, table, `estimate-${table.replaceAll('_', '-')}`);
    return (await compileJob(spec, t.db)).estimateRows(t.db);
  };

  it('is exact for a table created and filled just now, before any ANALYZE', async () => {
    await freshTable(t.raw, engine, 'fresh_rows', 20_000);
    // Before: the planner's guesses for an unanalyzed table (0.5% for IS NULL on PostgreSQL).
    expect(await estimate('fresh_rows')).toBe(16_000);
  });

  it('is exact for a table of 120k rows whose pages are full of dead tuples', async () => {
    await freshTable(t.raw, engine, 'churned_rows', 120_000);
    await t.raw.query(engine === 'postgres' ? 'ANALYZE churned_rows' : 'ANALYZE TABLE churned_rows');
    // Every row rewritten three times and no vacuum: PostgreSQL's pages quadruple.
    for (let i = 0; i < 3; i++)
      await t.raw.query('UPDATE churned_rows SET applied_count = applied_count + 1');
    // Before: the planner scaled its row count by the pages dead tuples fill (PostgreSQL), or
    // counted every row its full scan reads rather than those matching (MariaDB).
    expect(await estimate('churned_rows')).toBe(96_000);
  });
});
