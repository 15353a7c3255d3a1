import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { TestEngine } from '../../support/databases';
import { backfillTargets, createAccounts } from '../../support/fixtures';
import { connectRaw, type RawConnection } from '../../support/raw-sql';
import { countWrites, type WriteCounter } from '../../support/write-counter';

/** One database of a test fleet: its own `accounts` table with a trigger counting every write. */
export interface FleetDatabase {
  readonly member: string;
  readonly engine: TestEngine;
  readonly name: string;
  readonly url: string;
  readonly raw: RawConnection;
  readonly writes: WriteCounter;
}

export interface TestFleet {
  readonly members: readonly FleetDatabase[];
  /** A working directory holding lowtide.connections.json with the group `fleet`. */
  readonly cwd: string;
  /** Local control state for the CLI processes and the in-process runs. */
  readonly stateDir: string;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function createDatabase(engine: TestEngine, name: string): Promise<void> {
  const admin = inject('databases')[engine];
  if (engine === 'postgres') {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`).finally(() => c.end());
    return;
  }
  const c = await mysql.createConnection({ uri: admin });
  await c.query(`CREATE DATABASE ${name}`).finally(() => c.end());
}

async function dropDatabase(engine: TestEngine, name: string): Promise<void> {
  const admin = inject('databases')[engine];
  if (engine === 'postgres') {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    return;
  }
  const c = await mysql.createConnection({ uri: admin });
  await c.query(`DROP DATABASE IF EXISTS ${name}`).finally(() => c.end());
}

/**
 * Registers a fleet of fresh databases (`fleet_<random>`, one per engine listed, dropped after the
 * file), each with `rows` accounts, and a working directory whose lowtide.connections.json maps
 * `fleet` to them, members named m1, m2, ... in order.
 */
export function useTestFleet(engines: readonly TestEngine[], rows: number): TestFleet {
  const ctx = { members: [] as FleetDatabase[] } as {
    members: FleetDatabase[];
    cwd: string;
    stateDir: string;
  };
  const tag = randomBytes(4).toString('hex');
  beforeAll(async () => {
    ctx.cwd = await mkdtemp(join(tmpdir(), 'lowtide-fleet-'));
    ctx.stateDir = join(ctx.cwd, '.state');
    for (const [i, engine] of engines.entries()) {
      const name = `fleet_${tag}_${i + 1}`;
      await createDatabase(engine, name);
      const url = withDatabase(inject('databases')[engine], name);
      const raw = await connectRaw({ engine, url });
      await createAccounts(raw, engine, rows);
      const writes = await countWrites(raw, engine, 'accounts');
      ctx.members.push({ member: `m${i + 1}`, engine, name, url, raw, writes });
    }
    const group = ctx.members.map((m) => ({ name: m.member, url: m.url }));
    await writeFile(join(ctx.cwd, 'lowtide.connections.json'), JSON.stringify({ fleet: group }, null, 2));
  }, 120_000);
  afterAll(async () => {
    for (const m of ctx.members) {
      await m.raw.close().catch(() => {});
      await dropDatabase(m.engine, m.name);
    }
    if (ctx.cwd) await rm(ctx.cwd, { recursive: true, force: true });
  });
  return ctx;
}

/** Every target row of every member changed exactly once, by the job's column and by the trigger. */
export async function expectEachChangedOnce(
  fleet: TestFleet,
  rows: number,
  expect: (actual: unknown) => { toEqual(expected: unknown): void },
): Promise<void> {
  const targets = backfillTargets(rows);
  for (const m of fleet.members) {
    const [row] = await m.raw.query<Record<string, unknown>>(
      `SELECT SUM(CASE WHEN applied_count = 1 THEN 1 ELSE 0 END) AS once,
              SUM(CASE WHEN applied_count > 1 THEN 1 ELSE 0 END) AS twice,
              SUM(CASE WHEN tier IS NULL THEN 1 ELSE 0 END) AS pending
         FROM accounts`,
    );
    expect({
      member: m.member,
      once: Number(row!.once),
      twice: Number(row!.twice),
      pending: Number(row!.pending),
    }).toEqual({
      member: m.member,
      once: targets,
      twice: 0,
      pending: 0,
    });
    expect({ member: m.member, histogram: await m.writes.histogram() }).toEqual({
      member: m.member,
      histogram: [[1, targets]],
    });
  }
}
