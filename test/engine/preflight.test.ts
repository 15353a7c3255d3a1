import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import { runPreflight } from '../../src/engine';
import { defineJob } from '../../src/job/define-job';
import type { CheckResult } from '../../src/job/types';
import { tableChecksum } from '../support/checksum';
import { ENGINES } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts, TIER_EXPRESSION } from '../support/fixtures';
import { withMysqlGlobal } from '../support/raw-sql';

const ROWS = 20_000;

function failed(checks: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(
    checks.filter((c) => !c.ok && c.severity !== 'warning').map((c) => [c.name, c.reason]),
  );
}

describe.each(ENGINES)('preflight on %s', (engine) => {
  const t = useEngineDatabase(engine);

  beforeAll(async () => {
    await createAccounts(t.raw, engine, ROWS);
    // The same rows without any index: a keyset walk over it would scan the table per batch.
    await t.raw.query('CREATE TABLE accounts_noindex AS SELECT * FROM accounts');
    await t.raw.query(engine === 'postgres' ? 'ANALYZE accounts_noindex' : 'ANALYZE TABLE accounts_noindex');
    await t.raw.query('CREATE TABLE schema_migrations (version varchar(20) NOT NULL)');
    await t.raw.query("INSERT INTO schema_migrations VALUES ('20260101')");
  });

  const job = (extra: Record<string, unknown> = {}) =>
    defineJob({
      id: 'backfill-tier',
      owner: 'test',
      engine,
      database: 'primary',
      table: 'accounts',
      key: 'id',
      kind: 'update',
      where: 'tier IS NULL',
      set: { tier: TIER_EXPRESSION },
      ...extra,
    });

  it('passes a sound job and estimates rows and batches from the planner', async () => {
    const report = await runPreflight({
      spec: job({
        preflight: {
          checks: [
            { name: 'schema-version', sql: "SELECT max(version) >= '20260101' FROM schema_migrations" },
          ],
        },
      }),
      db: t.db,
    });
    expect(failed(report.checks)).toEqual({});
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'server-role',
        'table-exists',
        'columns',
        'key-index',
        'selection-plan',
        'statements',
        'row-estimate',
        'check:schema-version',
        'replica-lag',
      ]),
    );
    // 16,000 rows match; planner estimates are rough, but not off by an order of magnitude.
    expect(report.estimatedRows).toBeGreaterThan(16_000 / 3);
    expect(report.estimatedRows).toBeLessThan(16_000 * 3);
    expect(report.estimatedBatches).toBe(Math.ceil(report.estimatedRows / 1000));
  });

  it('refuses a table without an index on the key', async () => {
    const report = await runPreflight({ spec: job({ table: 'accounts_noindex' }), db: t.db });
    expect(report.ok).toBe(false);
    const reasons = failed(report.checks);
    expect(reasons['key-index']).toMatch(
      /no unique index is over exactly key id: the table has no primary key/,
    );
    expect(reasons['selection-plan']).toMatch(/scans the whole table/);
  });

  it('refuses a missing column, naming it', async () => {
    const report = await runPreflight({
      spec: job({ preflight: { requireColumns: ['tier', 'loyalty_points'] } }),
      db: t.db,
    });
    expect(report.ok).toBe(false);
    expect(failed(report.checks).columns).toMatch(/no column loyalty_points/);
  });

  it('refuses a job estimated over maxRows', async () => {
    const report = await runPreflight({ spec: job({ limits: { maxRows: 1000 } }), db: t.db });
    expect(report.ok).toBe(false);
    expect(failed(report.checks)['row-estimate']).toMatch(/over limits\.maxRows 1000/);
  });

  it('refuses SQL the server rejects, and a failing custom check, with their reasons', async () => {
    const report = await runPreflight({
      spec: job({
        set: { tier: 'no_such_function(lifetime_value)' },
        preflight: {
          checks: [
            {
              name: 'schema-version',
              sql: "SELECT max(version) >= '20270101' FROM schema_migrations",
              reason: 'run the 2027 migrations first',
            },
          ],
        },
      }),
      db: t.db,
    });
    const reasons = failed(report.checks);
    expect(reasons.statements).toMatch(/fix the job's where\/set expressions/);
    expect(reasons['check:schema-version']).toBe('run the 2027 migrations first');
  });

  it('runs checks read-only: a check whose function writes is refused and changes nothing', async () => {
    // The parser cannot see inside a user-defined function; the read-only transaction stops it.
    await t.raw.query(
      engine === 'postgres'
        ? "CREATE FUNCTION wipe_accounts() RETURNS boolean LANGUAGE sql VOLATILE AS 'DELETE FROM accounts; SELECT true'"
        : 'CREATE FUNCTION wipe_accounts() RETURNS INT MODIFIES SQL DATA NOT DETERMINISTIC BEGIN DELETE FROM accounts; RETURN 1; END',
    );
    const before = await tableChecksum(t.raw, engine, 'accounts');
    const report = await runPreflight({
      spec: job({ preflight: { checks: [{ name: 'wipe', sql: 'SELECT wipe_accounts()' }] } }),
      db: t.db,
    });
    expect(failed(report.checks)['check:wipe']).toMatch(/read-only|READ ONLY/i);
    expect(await tableChecksum(t.raw, engine, 'accounts')).toBe(before);
  });

  it('refuses author SQL its parser does not read, before sending any of it (a spec that skipped defineJob)', async () => {
    const before = await tableChecksum(t.raw, engine, 'accounts');
    const spec = {
      ...job(),
      where: 'tier IS NULL OR true FROM accounts',
      preflight: { ...job().preflight, checks: [{ name: 'drop', sql: 'DELETE FROM accounts' }] },
    };
    const report = await runPreflight({ spec, db: t.db });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.reason)).toEqual([
      expect.stringMatching(/^where must be one SQL expression: reads as more than an expression/),
      expect.stringMatching(/^preflight\.checks\.0\.sql must be one read-only SELECT: is a DELETE statement/),
    ]);
    expect(report.checks.map((c) => c.name)).toEqual(['author-sql', 'author-sql']);
    expect(await tableChecksum(t.raw, engine, 'accounts')).toBe(before);
  });

  it('refuses a missing table and stops there', async () => {
    const report = await runPreflight({ spec: job({ table: 'no_such_table' }), db: t.db });
    expect(report.ok).toBe(false);
    expect(failed(report.checks)['table-exists']).toMatch(/no_such_table does not exist/);
    expect(report.checks.map((c) => c.name)).not.toContain('key-index');
  });

  it('refuses a read-only server', async () => {
    if (engine === 'postgres') {
      await t.raw.query(`ALTER DATABASE ${t.testDb.name} SET default_transaction_read_only = on`);
      const readOnly = openDatabase(t.testDb.url); // new sessions pick the setting up
      try {
        const report = await runPreflight({ spec: job(), db: readOnly });
        expect(report.ok).toBe(false);
        expect(failed(report.checks)['server-role']).toMatch(/read-only|read only/i);
      } finally {
        await readOnly.close();
        await t.raw.query(`ALTER DATABASE ${t.testDb.name} SET default_transaction_read_only = off`);
      }
      return;
    }
    await withMysqlGlobal(t.testDb, 'read_only = 1', 'read_only = 0', async () => {
      const report = await runPreflight({ spec: job(), db: t.db });
      expect(report.ok).toBe(false);
      expect(failed(report.checks)['server-role']).toMatch(/read-only|read only|read_only/i);
    });
  });

  it('refuses when a configured replica cannot report its lag', async () => {
    const report = await runPreflight({
      spec: job(),
      db: t.db,
      replicas: [
        {
          name: 'replica-a',
          url:
            engine === 'postgres' ? 'postgres://postgres@127.0.0.1:1/test' : 'mysql://root@127.0.0.1:1/test',
        },
      ],
    });
    expect(report.ok).toBe(false);
    expect(failed(report.checks)['replica-lag:replica-a']).toMatch(/replica-a/);
  });
});
