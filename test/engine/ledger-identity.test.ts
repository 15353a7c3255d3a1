import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { installLedger, LedgerConflictError, readLedger, runBatch, TargetTableError } from '../../src/engine';
import { createTestDatabase, ENGINES, type TestDatabase, type TestEngine } from '../support/databases';
import { interceptBatchQueries, runUntilDone } from '../support/engine';
import { useEngineDatabase } from '../support/engine-database';
import { accountsBackfill, backfillTargets, createAccounts } from '../support/fixtures';
import { countWrites, type WriteCounter } from '../support/write-counter';

const ROWS = 1000;
const BATCH = { size: 100, min: 100, max: 100 };

/** The ledger table as versions before qualified ledgers created it (no target_table column). */
function oldLedgerDdl(engine: TestEngine, table: string): string {
  return engine === 'postgres'
    ? `CREATE TABLE ${table} (
        job_id varchar(64) NOT NULL, batch_no bigint NOT NULL, lease_token bigint NOT NULL,
        first_key text NOT NULL, last_key text NOT NULL, selected integer NOT NULL, affected integer NOT NULL,
        rows_done bigint NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job_id, batch_no))`
    : `CREATE TABLE ${table} (
        job_id varchar(64) NOT NULL, batch_no bigint NOT NULL, lease_token bigint NOT NULL,
        first_key text NOT NULL, last_key text NOT NULL, selected int NOT NULL, affected int NOT NULL,
        rows_done bigint NOT NULL, applied_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (job_id, batch_no)) ENGINE=InnoDB`;
}

const OLD_COLUMNS =
  'job_id, batch_no, lease_token, first_key, last_key, selected, affected, rows_done, applied_at';

describe.each(ENGINES)(
  'one ledger and one lock per job table on %s, whatever the URL defaults to',
  (engine) => {
    const t = useEngineDatabase(engine);
    /**
     * Two connections whose defaults differ but whose job table is the same one. PostgreSQL: one
     * database, search_path `first, app` and `second, app`, the table in `app`, named unqualified.
     * MySQL: the table in the file's database, named database.table, one URL defaulting to that
     * database and one to another. `elsewhere` defaults away from the table's schema: an earlier
     * lowtide put its ledger there.
     */
    const c = {} as {
      other: TestDatabase | undefined;
      near: Database;
      elsewhere: Database;
      schema: string;
      elsewhereSchema: string;
    };
    let n = 0;

    beforeAll(async () => {
      if (engine === 'postgres') {
        for (const s of ['app', 'first', 'second']) await t.raw.query(`CREATE SCHEMA ${s}`);
        const withPath = (path: string) =>
          `${t.testDb.url}?options=${encodeURIComponent(`-c search_path=${path}`)}`;
        c.elsewhere = openDatabase(withPath('first,app'));
        c.near = openDatabase(withPath('second,app'));
        c.schema = 'app';
        c.elsewhereSchema = 'first';
      } else {
        c.other = await createTestDatabase('mysql');
        c.near = openDatabase(t.testDb.url);
        c.elsewhere = openDatabase(c.other.url);
        c.schema = t.testDb.name;
        c.elsewhereSchema = c.other.name;
      }
    });
    afterAll(async () => {
      await c.near?.close();
      await c.elsewhere?.close();
      await c.other?.drop();
    });

    /** A fresh accounts table in the job's schema, with a write counter on it. */
    async function freshTable(): Promise<{ table: string; qualified: string; writes: WriteCounter }> {
      const name = `accounts_${++n}`;
      const qualified = `${c.schema}.${name}`;
      await createAccounts(t.raw, engine, ROWS, qualified);
      const writes = await countWrites(t.raw, engine, qualified);
      // PostgreSQL names the table unqualified (the search_path finds it); MySQL qualified.
      return { table: engine === 'postgres' ? name : qualified, qualified, writes };
    }

    async function ledgerTablesNamed(name: string): Promise<string[]> {
      const schemaCol = engine === 'postgres' ? 'table_schema' : 'TABLE_SCHEMA';
      const rows = await t.raw.query<{ s: string }>(
        `SELECT ${schemaCol} AS s FROM information_schema.tables WHERE table_name = '${name}' ORDER BY 1`,
      );
      return rows.map((r) => r.s).filter((s) => [c.schema, c.elsewhereSchema, 'second'].includes(s));
    }

    async function count(sqlText: string): Promise<number> {
      return Number((await t.raw.query<{ n: unknown }>(sqlText))[0]!.n);
    }

    it('two runs through different defaults share the ledger: every row changed once', async () => {
      const { table, qualified, writes } = await freshTable();
      // A change that does not take rows out of its own predicate: only the ledger keeps a second
      // run from applying it again.
      const spec = accountsBackfill(engine, table, 'shared-ledger', {
        batch: BATCH,
        where: 'id > 0',
        set: { applied_count: 'applied_count + 1' },
      });
      await installLedger(c.elsewhere, spec);
      for (let i = 0; i < 3; i++) {
        expect(await runBatch({ spec, db: c.elsewhere, lease: { token: 1 }, batchSize: 100 })).toMatchObject({
          status: 'applied',
          batchNo: i + 1,
        });
      }
      await installLedger(c.near, spec);
      const rest = await runUntilDone(spec, c.near);
      const batches = ROWS / 100;
      expect(rest.batches).toBe(batches - 3);
      expect(await runBatch({ spec, db: c.elsewhere, lease: { token: 1 }, batchSize: 100 })).toMatchObject({
        status: 'done',
        batchNo: batches,
      });

      expect(await writes.histogram()).toEqual([[1, ROWS]]);
      expect(await count(`SELECT count(*) AS n FROM ${qualified} WHERE applied_count <> 1`)).toBe(0);
      expect(await ledgerTablesNamed('lowtide_ledger')).toEqual([c.schema]);
      expect(
        await count(
          `SELECT count(*) AS n FROM ${c.schema}.lowtide_ledger WHERE job_id = 'shared-ledger' AND target_table = '${qualified}'`,
        ),
      ).toBe(batches);
      expect(await readLedger(c.elsewhere, spec)).toEqual(await readLedger(c.near, spec));
    });

    it('two runs through different defaults take the same lock', async () => {
      const { table, writes } = await freshTable();
      const spec = accountsBackfill(engine, table, 'shared-lock', { batch: BATCH });
      await installLedger(c.near, spec);
      let reached!: () => void;
      const inside = new Promise<void>((resolve) => {
        reached = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Stops the first run inside its batch, lock held, at its read of the ledger head.
      const stalled = interceptBatchQueries(c.elsewhere, async (_tx, text) => {
        if (text.includes('ORDER BY batch_no DESC')) {
          reached();
          await gate;
        }
      });
      const first = runBatch({ spec, db: stalled, lease: { token: 1 }, batchSize: 100 });
      await inside;
      try {
        expect(await runBatch({ spec, db: c.near, lease: { token: 1 }, batchSize: 100 })).toEqual({
          status: 'held',
        });
      } finally {
        release();
      }
      expect(await first).toMatchObject({ status: 'applied', batchNo: 1, affected: 100 });
      expect(await writes.histogram()).toEqual([[1, 100]]);
    });

    it("adopts the ledger an earlier version left in the connection's default schema", async () => {
      const { table, writes } = await freshTable();
      const spec = accountsBackfill(engine, table, 'adopted', { batch: BATCH, ledgerTable: 'ledger_adopt' });
      const place = `${c.schema}.ledger_adopt`;
      const legacy = `${c.elsewhereSchema}.ledger_adopt`;
      await installLedger(c.elsewhere, spec);
      for (let i = 0; i < 3; i++)
        await runBatch({ spec, db: c.elsewhere, lease: { token: 1 }, batchSize: 100 });
      // What an earlier version leaves: the same progress, in an old-format ledger in the default schema.
      await t.raw.query(oldLedgerDdl(engine, legacy));
      await t.raw.query(`INSERT INTO ${legacy} (${OLD_COLUMNS}) SELECT ${OLD_COLUMNS} FROM ${place}`);
      await t.raw.query(`DROP TABLE ${place}`);
      expect(await readLedger(c.elsewhere, spec)).toMatchObject({ batchNo: 3 });

      await installLedger(c.elsewhere, spec);

      expect(await count(`SELECT count(*) AS n FROM ${legacy}`)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM ${place} WHERE job_id = 'adopted'`)).toBe(3);
      const rest = await runUntilDone(spec, c.near);
      expect(rest.batches).toBe(backfillTargets(ROWS) / 100 - 3);
      expect(await writes.histogram()).toEqual([[1, backfillTargets(ROWS)]]);
    });

    it('upgrades an earlier ledger in place, keeping its progress', async () => {
      const { table, qualified, writes } = await freshTable();
      const spec = accountsBackfill(engine, table, 'upgraded', {
        batch: BATCH,
        ledgerTable: 'ledger_upgrade',
      });
      const place = `${c.schema}.ledger_upgrade`;
      await installLedger(c.near, spec);
      for (let i = 0; i < 2; i++) await runBatch({ spec, db: c.near, lease: { token: 1 }, batchSize: 100 });
      await t.raw.query(`CREATE TABLE ${c.schema}.ledger_keep AS SELECT ${OLD_COLUMNS} FROM ${place}`);
      await t.raw.query(`DROP TABLE ${place}`);
      await t.raw.query(oldLedgerDdl(engine, place));
      await t.raw.query(
        `INSERT INTO ${place} (${OLD_COLUMNS}) SELECT ${OLD_COLUMNS} FROM ${c.schema}.ledger_keep`,
      );

      await installLedger(c.near, spec);

      expect(
        await count(
          `SELECT count(*) AS n FROM ${place} WHERE job_id = 'upgraded' AND target_table = '${qualified}'`,
        ),
      ).toBe(2);
      await runUntilDone(spec, c.elsewhere);
      expect(await writes.histogram()).toEqual([[1, backfillTargets(ROWS)]]);
    });

    it('refuses to install when both ledgers hold progress for the job, changing nothing', async () => {
      const { table, writes } = await freshTable();
      const spec = accountsBackfill(engine, table, 'two-copies', {
        batch: BATCH,
        ledgerTable: 'ledger_twice',
      });
      const place = `${c.schema}.ledger_twice`;
      const legacy = `${c.elsewhereSchema}.ledger_twice`;
      await installLedger(c.elsewhere, spec);
      for (let i = 0; i < 2; i++)
        await runBatch({ spec, db: c.elsewhere, lease: { token: 1 }, batchSize: 100 });
      await t.raw.query(oldLedgerDdl(engine, legacy));
      await t.raw.query(
        `INSERT INTO ${legacy} (${OLD_COLUMNS}) SELECT ${OLD_COLUMNS} FROM ${place} WHERE batch_no = 1`,
      );

      const error = await installLedger(c.elsewhere, spec).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(LedgerConflictError);
      const message = (error as Error).message;
      expect(message).toContain(place);
      expect(message).toContain(legacy);
      expect(message).toContain(`DELETE FROM ${legacy} WHERE job_id = 'two-copies'`);
      expect(await count(`SELECT count(*) AS n FROM ${legacy}`)).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM ${place}`)).toBe(2);
      expect(await writes.histogram()).toEqual([[1, 200]]);
    });

    it('refuses progress recorded for another table under the same job id', async () => {
      const first = await freshTable();
      const second = await freshTable();
      const id = 'reused-id';
      const before = accountsBackfill(engine, first.table, id, { batch: BATCH, ledgerTable: 'ledger_reuse' });
      await installLedger(c.near, before);
      await runBatch({ spec: before, db: c.near, lease: { token: 1 }, batchSize: 100 });
      const after = accountsBackfill(engine, second.table, id, { batch: BATCH, ledgerTable: 'ledger_reuse' });
      await installLedger(c.near, after);

      const error = await runBatch({ spec: after, db: c.near, lease: { token: 1 }, batchSize: 100 }).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(TargetTableError);
      expect((error as Error).message).toContain(`recorded for table ${first.qualified}`);
      expect((error as Error).message).toContain('give the job a new id');
      expect(await second.writes.histogram()).toEqual([]);
    });
  },
);

describe('a MySQL job table in no database', () => {
  const t = useEngineDatabase('mysql');

  it('is refused with what to change when the URL names no database either', async () => {
    await createAccounts(t.raw, 'mysql', 10, 'accounts');
    const url = new URL(t.testDb.url);
    url.pathname = '/';
    const noDefault = openDatabase(url.toString());
    try {
      const spec = accountsBackfill('mysql', 'accounts', 'no-database');
      const error = await installLedger(noDefault, spec).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetTableError);
      expect((error as Error).message).toContain('write the table as database.table');
      const qualified = accountsBackfill('mysql', `${t.testDb.name}.accounts`, 'no-database');
      await installLedger(noDefault, qualified);
      expect(await runUntilDone(qualified, noDefault)).toMatchObject({ rows: backfillTargets(10) });
    } finally {
      await noDefault.close();
    }
  });
});
