import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/types';
import { PREFLIGHT_CHECKS, runPreflight } from '../../src/engine';
import type { PreflightCheck } from '../../src/engine/preflight/types';
import { pass } from '../../src/engine/preflight/types';
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import { tableChecksum } from '../support/checksum';
import { ENGINES, type TestEngine } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { accountsBackfill, createAccounts } from '../support/fixtures';
import type { RawConnection } from '../support/raw-sql';

const ROWS = 3_000;
// So few, keyed on a secondary unique index, that both planners scan the table for the batch
// selection: the selection-plan check then reads the table's row estimate after its EXPLAIN
// opened the read-only transaction.
const TINY_ROWS = 30;

async function createTiny(raw: RawConnection, engine: TestEngine): Promise<void> {
  const innodb = engine === 'postgres' ? '' : ' ENGINE=InnoDB';
  await raw.query(
    `CREATE TABLE tiny (id bigint PRIMARY KEY, code bigint NOT NULL UNIQUE, tier varchar(20) NULL)${innodb}`,
  );
  for (let n = 1; n <= TINY_ROWS; n++) await raw.query(`INSERT INTO tiny (id, code) VALUES (${n}, ${n * 3})`);
  await raw.query(engine === 'postgres' ? 'ANALYZE tiny' : 'ANALYZE TABLE tiny');
}

function tinyBackfill(engine: TestEngine): JobSpec {
  return defineJob({
    id: 'backfill-tiny',
    owner: 'test',
    engine,
    database: 'primary',
    table: 'tiny',
    key: 'code',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'standard'" },
  });
}
// Generous: a dry run that waits on a second pooled connection would sit out the pool's
// connection timeout on every check (PostgreSQL) or wait forever (MySQL); either fails here.
const BOUND_MS = 60_000;

/** Resolves `arrive()` for every party once all `parties` have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

/**
 * Opens its read-only transaction (a first query), waits until every other dry run holds its own,
 * then reads the catalog through the view as the real checks do.
 */
function holdThenReadCatalog(arrive: () => Promise<void>): PreflightCheck {
  return {
    name: 'hold-then-read-catalog',
    description: 'test: holds the read-only transaction while reading the catalog',
    async run(ctx) {
      await ctx.db.query('SELECT 1 AS one');
      await arrive();
      const columns = await ctx.columns();
      await ctx.indexes();
      await ctx.tableRows();
      await ctx.db.serverRole();
      await ctx.db.activeSessions();
      await ctx.db.serverVersion();
      return pass(this.name, `read ${columns.length} columns while holding the transaction`);
    },
  };
}

describe.each(ENGINES)('preflight on a small pool on %s', (engine) => {
  const t = useEngineDatabase(engine);
  const opened: Database[] = [];
  const open = (poolSize: number) => {
    const db = openDatabase(t.testDb.url, { poolSize });
    opened.push(db);
    return db;
  };
  const spec = () => accountsBackfill(engine, 'accounts', 'backfill-tier-pool');
  let before: string;

  beforeAll(async () => {
    await createAccounts(t.raw, engine, ROWS);
    await createTiny(t.raw, engine);
    before = await tableChecksum(t.raw, engine, 'accounts');
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it(
    'completes and passes through a Database with one pooled connection',
    async () => {
      const db = open(1);
      const tinyBefore = await tableChecksum(t.raw, engine, 'tiny');
      const report = await runPreflight({ spec: tinyBackfill(engine), db });
      expect(report.checks.filter((c) => !c.ok && c.severity !== 'warning')).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.checks.map((c) => c.name)).toEqual(
        expect.arrayContaining(['server-role', 'table-exists', 'columns', 'key-index', 'row-estimate']),
      );
      // The full-scan note carries the row estimate, read inside the EXPLAIN's transaction.
      expect(report.checks.find((c) => c.name === 'selection-plan')).toMatchObject({
        ok: false,
        severity: 'warning',
        reason: expect.stringContaining(`acceptable for ~${TINY_ROWS} rows`),
      });
      expect(report.estimatedRows).toBeGreaterThan(0);
      expect(await tableChecksum(t.raw, engine, 'tiny')).toBe(tinyBefore);
    },
    BOUND_MS,
  );

  it(
    'runs two preflights of one job at once on a pool of two, each holding its transaction',
    async () => {
      const db = open(2);
      for (let round = 0; round < 3; round++) {
        const arrive = barrier(2);
        const checks = [holdThenReadCatalog(arrive), ...PREFLIGHT_CHECKS];
        const reports = await Promise.all([
          runPreflight({ spec: spec(), db, checks }),
          runPreflight({ spec: spec(), db, checks }),
        ]);
        for (const report of reports) {
          expect(report.checks.filter((c) => !c.ok && c.severity !== 'warning')).toEqual([]);
          expect(report.ok).toBe(true);
          expect(report.checks.find((c) => c.name === 'hold-then-read-catalog')?.ok).toBe(true);
          expect(report.estimatedRows).toBeGreaterThan(0);
        }
      }
      expect(await tableChecksum(t.raw, engine, 'accounts')).toBe(before);
    },
    BOUND_MS * 2,
  );
});

describe('the row count of a dry run on postgres', () => {
  const engine = 'postgres';
  const t = useEngineDatabase(engine);
  let db: Database;
  afterAll(async () => {
    await db?.close();
  });

  it(
    'counts a never-analyzed table inside the view, its short timeouts gone after the count',
    async () => {
      await t.raw.query('CREATE TABLE never_analyzed (id bigint PRIMARY KEY)');
      await t.raw.query('INSERT INTO never_analyzed SELECT n FROM generate_series(1, 20) AS n');
      db = openDatabase(t.testDb.url, { poolSize: 1 });
      const settings =
        "SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s";
      const outside = (await db.query(settings)).rows[0];
      const [rows, inside] = await db.withReadOnlyTransaction(async (ro) => {
        const counted = await ro.estimateTableRows({ name: 'never_analyzed' });
        return [counted, (await ro.query(settings)).rows[0]] as const;
      });
      expect(rows).toBe(20);
      expect(inside).toEqual(outside);
    },
    BOUND_MS,
  );
});
