// `npx tsx bench/fleet-speed.ts`: a fleet of 8 databases (4 PostgreSQL, 4 MySQL) run at
// concurrency 4 against the same 8 member runs one after another (concurrency 1), through the
// local runtime and the fleet definition; prints both wall times and their ratio. A bench, never
// a test: the figure depends on the machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalControl } from '../src/cli/control/local-control';
import { parseConnectionGroup } from '../src/cli/fleet/connection-groups';
import { runFleetLocally } from '../src/cli/fleet/fleet-run';
import { defineJob } from '../src/job/define-job';
import { type BenchDatabase, createBenchDatabase } from './bench-database';
import { type BenchEngine, DEFAULT_ADMIN_URLS } from './settings';
import { connectSql } from './sql-client';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROWS = Number(process.env.LOWTIDE_BENCH_FLEET_ROWS ?? 20_000);
/** The job's pacing between batches (its default is 100 ms): what members spend waiting, which a fleet overlaps. */
const PACING_MS = Number(process.env.LOWTIDE_BENCH_FLEET_PACING_MS ?? 100);
const ENGINES: readonly BenchEngine[] = [
  'postgres',
  'mysql',
  'postgres',
  'mysql',
  'postgres',
  'mysql',
  'postgres',
  'mysql',
];
const adminUrl = (engine: BenchEngine) =>
  (engine === 'postgres' ? process.env.LOWTIDE_BENCH_PG_URL : process.env.LOWTIDE_BENCH_MYSQL_URL) ??
  DEFAULT_ADMIN_URLS[engine];

function log(line: string) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function seed(db: BenchDatabase): Promise<void> {
  const sql = await connectSql(db.engine, db.url);
  try {
    if (db.engine === 'postgres') {
      await sql.query(
        'CREATE TABLE accounts (id bigint PRIMARY KEY, tier text, applied_count integer NOT NULL DEFAULT 0)',
      );
      await sql.query(`INSERT INTO accounts (id) SELECT n FROM generate_series(1, ${ROWS}) AS n`);
    } else {
      await sql.query(
        'CREATE TABLE accounts (id bigint PRIMARY KEY, tier varchar(20) NULL, applied_count int NOT NULL DEFAULT 0)',
      );
      await sql.query(`INSERT INTO accounts (id) SELECT seq FROM seq_1_to_${ROWS}`);
    }
  } finally {
    await sql.close();
  }
}

/** One fleet run over 8 fresh databases at `concurrency`; its wall time in milliseconds. */
async function timeFleet(concurrency: number): Promise<number> {
  const databases: BenchDatabase[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'lowtide-fleet-bench-'));
  try {
    for (const engine of ENGINES) {
      const db = await createBenchDatabase(engine, adminUrl(engine));
      databases.push(db);
      await seed(db);
    }
    const spec = defineJob({
      id: `bench-fleet-c${concurrency}`,
      owner: 'bench',
      engine: 'postgres',
      database: 'fleet',
      kind: 'update',
      table: 'accounts',
      key: 'id',
      where: 'tier IS NULL',
      set: { tier: "'standard'", applied_count: 'applied_count + 1' },
      batch: { size: 1000, min: 100, max: 5000, targetMs: 200 },
      health: { pauseBetweenBatchesMs: PACING_MS },
    });
    const group = parseConnectionGroup(
      'fleet',
      databases.map((db, i) => ({ name: `m${i + 1}`, url: db.url })),
    );
    const control = await openLocalControl(join(dir, 'state'));
    try {
      const report = await runFleetLocally({ spec, group, control, concurrency, msPerSecond: 1000 });
      if (report.fleet.outcome !== 'completed')
        throw new Error(`fleet ended ${report.fleet.outcome}: ${report.fleet.reason}`);
      return report.durationMs;
    } finally {
      await control.close();
    }
  } finally {
    for (const db of databases) await db.drop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  log(`fleet bench: 8 members (4 postgres, 4 mysql), ${ROWS} rows each, ${PACING_MS} ms pacing`);
  const fleet = await timeFleet(4);
  log(`concurrency 4: ${(fleet / 1000).toFixed(1)} s`);
  const sequential = await timeFleet(1);
  log(`one member at a time: ${(sequential / 1000).toFixed(1)} s`);
  process.stdout.write(
    `fleet of 8 (${ROWS} rows each, ${PACING_MS} ms pacing) at concurrency 4: ${(fleet / 1000).toFixed(1)} s; 8 sequential runs: ${(sequential / 1000).toFixed(1)} s; wall-time ratio ${(sequential / fleet).toFixed(2)}x\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    log(`${error.name}: ${error.message}`);
    process.exit(2);
  },
);
