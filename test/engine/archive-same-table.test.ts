import { beforeAll, describe, expect, it } from 'vitest';
import { runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import { ENGINES } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts } from '../support/fixtures';

describe.each(ENGINES)('an archive job whose archive table is its own table on %s', (engine) => {
  const t = useEngineDatabase(engine);

  beforeAll(async () => {
    await createAccounts(t.raw, engine, 200, 'orders');
    await t.raw.query(
      engine === 'postgres'
        ? 'CREATE TABLE orders_archive (LIKE orders INCLUDING ALL)'
        : 'CREATE TABLE orders_archive LIKE orders',
    );
  });

  const archive = (archiveTable: string) =>
    defineJob({
      id: 'archive-into-itself',
      owner: 'test',
      engine,
      database: 'primary',
      table: 'orders',
      key: 'id',
      kind: 'archive',
      where: 'id < 100',
      archiveTable,
    });
  const archiveCheck = async (archiveTable: string) =>
    (await runPreflight({ spec: archive(archiveTable), db: t.db })).checks.find(
      (c) => c.name === 'archive-table',
    );

  it('is refused at preflight when only the server can tell: schema-qualified against unqualified', async () => {
    // PostgreSQL: `orders` is public.orders through the search_path; MySQL: through DATABASE().
    const qualified = engine === 'postgres' ? 'public.orders' : `${t.testDb.name}.orders`;
    const check = await archiveCheck(qualified);
    expect(check).toMatchObject({ ok: false });
    expect(check?.reason).toMatch(/is the job's table orders .*name the table the rows are moved to/);
  });

  it('passes for another table', async () => {
    expect(await archiveCheck('orders_archive')).toMatchObject({ ok: true });
  });
});
