import { openDatabase } from '../../src/db/open-database';
import { createBenchDatabase } from '../bench-database';
import { type Distribution, distribution } from '../measure/stats';
import type { BenchEngine } from '../settings';
import { connectSql } from '../sql-client';
import { COMPOSITE_KEY, COMPOSITE_TABLE, SINGLE_TABLE, seedKeyedTables } from './seed-keyed-tables';
import { type Walk, walkJob, walkTable } from './walk';

/** The target: a composite-key batch costs at most this many single-column batches. */
export const TARGET_RATIO = 1.2;

export interface KeysBenchOptions {
  readonly engines: readonly BenchEngine[];
  readonly adminUrls: Readonly<Record<BenchEngine, string>>;
  /** Rows in each of the two tables. */
  readonly rows: number;
  readonly batchSize: number;
  /** Walks of each table, alternated (single, composite, single, ...) so drift hits both alike. */
  readonly rounds: number;
}

export interface KeyWalkResult {
  readonly key: string;
  readonly walks: number;
  readonly rows: number;
  /** Every batch of every walk, in milliseconds. */
  readonly batchMs: Distribution;
  /** Median whole-walk time. */
  readonly walkSeconds: number;
}

export interface KeysEngineResult {
  readonly engine: BenchEngine;
  readonly serverVersion: string;
  readonly single: KeyWalkResult;
  readonly composite: KeyWalkResult;
  /** Composite over single, median batch time. */
  readonly ratio: number;
  readonly targetMet: boolean;
}

export interface KeysBenchResults {
  readonly startedAt: string;
  readonly rows: number;
  readonly batchSize: number;
  readonly rounds: number;
  readonly targetRatio: number;
  readonly engines: readonly KeysEngineResult[];
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function summarise(key: string, walks: readonly Walk[]): KeyWalkResult {
  return {
    key,
    walks: walks.length,
    rows: walks[0]?.rows ?? 0,
    batchMs: distribution(walks.flatMap((w) => w.batchMs)),
    walkSeconds: median(walks.map((w) => w.seconds)),
  };
}

async function benchEngine(engine: BenchEngine, options: KeysBenchOptions): Promise<KeysEngineResult> {
  const database = await createBenchDatabase(engine, options.adminUrls[engine]);
  try {
    const client = await connectSql(engine, database.url);
    try {
      await seedKeyedTables(client, engine, options.rows);
    } finally {
      await client.close();
    }
    const db = openDatabase(database.url);
    const single: Walk[] = [];
    const composite: Walk[] = [];
    try {
      // One warm-up walk of each, not counted: the first walk reads the table into the cache.
      for (let round = 0; round <= options.rounds; round++) {
        const a = await walkTable(
          db,
          walkJob(engine, `keys-single-${round}`, SINGLE_TABLE, 'id', options.batchSize),
        );
        const b = await walkTable(
          db,
          walkJob(engine, `keys-composite-${round}`, COMPOSITE_TABLE, COMPOSITE_KEY, options.batchSize),
        );
        for (const walk of [a, b])
          if (walk.rows !== options.rows)
            throw new Error(
              `a walk changed ${walk.rows} rows of ${options.rows}: the bench measured a broken walk`,
            );
        if (round === 0) continue;
        single.push(a);
        composite.push(b);
      }
    } finally {
      await db.close();
    }
    const s = summarise('id', single);
    const c = summarise(COMPOSITE_KEY.join(', '), composite);
    const ratio = s.batchMs.p50 > 0 ? c.batchMs.p50 / s.batchMs.p50 : 0;
    return {
      engine,
      serverVersion: database.serverVersion,
      single: s,
      composite: c,
      ratio,
      targetMet: ratio <= TARGET_RATIO,
    };
  } finally {
    await database.drop();
  }
}

/** Walks the same rows by a one-column key and by a three-column key, per engine, in one run. */
export async function runKeysBench(options: KeysBenchOptions): Promise<KeysBenchResults> {
  const startedAt = new Date().toISOString();
  const engines: KeysEngineResult[] = [];
  for (const engine of options.engines) engines.push(await benchEngine(engine, options));
  return {
    startedAt,
    rows: options.rows,
    batchSize: options.batchSize,
    rounds: options.rounds,
    targetRatio: TARGET_RATIO,
    engines,
  };
}

/** The results as a markdown table, one line per engine. */
export function keysBenchMarkdown(results: KeysBenchResults): string {
  const lines = [
    `${results.rows.toLocaleString('en-US')} rows, batches of ${results.batchSize.toLocaleString('en-US')}, ${results.rounds} walks of each key after a warm-up`,
    '',
    '| engine | single-column batch p50 ms (p90) | composite-key batch p50 ms (p90) | ratio | target ≤ 1.2x | walk s single / composite |',
    '|---|---|---|---|---|---|',
  ];
  for (const e of results.engines)
    lines.push(
      `| ${e.engine} | ${e.single.batchMs.p50.toFixed(1)} (${e.single.batchMs.p90.toFixed(1)}) | ${e.composite.batchMs.p50.toFixed(1)} (${e.composite.batchMs.p90.toFixed(1)}) | ${e.ratio.toFixed(2)}x | ${e.targetMet ? 'met' : 'NOT met'} | ${e.single.walkSeconds.toFixed(2)} / ${e.composite.walkSeconds.toFixed(2)} |`,
    );
  return lines.join('\n');
}
