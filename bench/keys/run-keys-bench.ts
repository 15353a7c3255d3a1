import { openDatabase } from '../../src/db/open-database';
import { createBenchDatabase } from '../bench-database';
import { type Distribution, distribution } from '../measure/stats';
import type { BenchEngine } from '../settings';
import { connectSql } from '../sql-client';
import { type KeyVariant, SINGLE, seedKeyedTables, VARIANTS } from './seed-keyed-tables';
import { type Walk, walkInTurn, walkJob } from './walk';

/** The target: a composite-key batch costs at most this many single-column batches. */
export const TARGET_RATIO = 1.2;

export interface KeysBenchOptions {
  readonly engines: readonly BenchEngine[];
  readonly adminUrls: Readonly<Record<BenchEngine, string>>;
  /** Rows in each table. */
  readonly rows: number;
  readonly batchSize: number;
  /** Walks of each table; the walks of a round take their batches in turn, so drift hits all alike. */
  readonly rounds: number;
}

export interface KeyWalkResult {
  readonly variant: string;
  /** The key as the job gives it: `id`, or its columns in order. */
  readonly key: string;
  readonly walks: number;
  readonly rows: number;
  /** Every batch of every counted walk, in milliseconds. */
  readonly batchMs: Distribution;
  /** Median whole-walk time (the sum of its batches). */
  readonly walkSeconds: number;
  /** Median batch time over the single-column key's (1 for the single-column key itself). */
  readonly ratio: number;
  readonly targetMet: boolean;
}

export interface KeysEngineResult {
  readonly engine: BenchEngine;
  readonly serverVersion: string;
  /** The single-column key first, then each composite key. */
  readonly variants: readonly KeyWalkResult[];
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

async function walkVariants(engine: BenchEngine, url: string, options: KeysBenchOptions): Promise<Walk[][]> {
  const db = openDatabase(url);
  const counted: Walk[][] = VARIANTS.map(() => []);
  try {
    // Round 0 is a warm-up, not counted: the first walk reads the table into the cache.
    for (let round = 0; round <= options.rounds; round++) {
      const specs = VARIANTS.map((v) =>
        walkJob(engine, `keys-${v.name}-${round}`, v.table, v.key, options.batchSize),
      );
      const walks = await walkInTurn(db, specs);
      for (const walk of walks)
        if (walk.rows !== options.rows)
          throw new Error(
            `a walk changed ${walk.rows} rows of ${options.rows}: the bench measured a broken walk`,
          );
      if (round > 0) for (const [i, walk] of walks.entries()) counted[i]!.push(walk);
    }
  } finally {
    await db.close();
  }
  return counted;
}

function summarise(variant: KeyVariant, walks: readonly Walk[], baselineP50: number): KeyWalkResult {
  const batchMs = distribution(walks.flatMap((w) => w.batchMs));
  const ratio = baselineP50 > 0 ? batchMs.p50 / baselineP50 : 0;
  return {
    variant: variant.name,
    key: typeof variant.key === 'string' ? variant.key : variant.key.join(', '),
    walks: walks.length,
    rows: walks[0]?.rows ?? 0,
    batchMs,
    walkSeconds: median(walks.map((w) => w.seconds)),
    ratio,
    targetMet: ratio <= TARGET_RATIO,
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
    const walks = await walkVariants(engine, database.url, options);
    const baseline = distribution(walks[VARIANTS.indexOf(SINGLE)]!.flatMap((w) => w.batchMs)).p50;
    return {
      engine,
      serverVersion: database.serverVersion,
      variants: VARIANTS.map((v, i) => summarise(v, walks[i]!, baseline)),
    };
  } finally {
    await database.drop();
  }
}

/** Walks the same rows by a one-column key and by three-column keys, per engine, in one run. */
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

/** The results as a markdown table, one line per engine and key. */
export function keysBenchMarkdown(results: KeysBenchResults): string {
  const lines = [
    `${results.rows.toLocaleString('en-US')} rows, batches of ${results.batchSize.toLocaleString('en-US')}, ${results.rounds} walks of each key after a warm-up, batches taken in turn`,
    '',
    `| engine | key | batch p50 ms (p90) | ratio to single-column | target ≤ ${results.targetRatio}x | walk s |`,
    '|---|---|---|---|---|---|',
  ];
  for (const e of results.engines)
    for (const v of e.variants)
      lines.push(
        `| ${e.engine} | ${v.key} | ${v.batchMs.p50.toFixed(1)} (${v.batchMs.p90.toFixed(1)}) | ${v.ratio.toFixed(2)}x | ${v.variant === 'single' ? '—' : v.targetMet ? 'met' : 'NOT met'} | ${v.walkSeconds.toFixed(2)} |`,
      );
  return lines.join('\n');
}
