// `npm run bench:keys`: a batch walked by a three-column key against a batch of the same rows
// walked by a one-column key, per engine, in one run; see docs/benchmarks.md ("composite keys").
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keysBenchMarkdown, runKeysBench } from './keys/run-keys-bench';
import { ALL_ENGINES, type BenchEngine, DEFAULT_ADMIN_URLS } from './settings';

const RESULTS_DIR =
  process.env.LOWTIDE_BENCH_RESULTS_DIR || fileURLToPath(new URL('./results', import.meta.url));

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not '${raw}'`);
  return value;
}

function engines(): BenchEngine[] {
  const raw = process.env.LOWTIDE_BENCH_ENGINES;
  if (!raw) return [...ALL_ENGINES];
  const asked = raw.split(',').map((e) => e.trim());
  const unknown = asked.filter((e) => !ALL_ENGINES.includes(e as BenchEngine));
  if (unknown.length > 0)
    throw new Error(`LOWTIDE_BENCH_ENGINES: unknown engine(s) ${unknown.join(', ')}; use postgres, mysql`);
  return asked as BenchEngine[];
}

async function main(): Promise<void> {
  const results = await runKeysBench({
    engines: engines(),
    adminUrls: {
      postgres: process.env.LOWTIDE_BENCH_PG_URL || DEFAULT_ADMIN_URLS.postgres,
      mysql: process.env.LOWTIDE_BENCH_MYSQL_URL || DEFAULT_ADMIN_URLS.mysql,
    },
    rows: positive('LOWTIDE_BENCH_KEYS_ROWS', 200_000),
    batchSize: positive('LOWTIDE_BENCH_KEYS_BATCH', 1000),
    rounds: positive('LOWTIDE_BENCH_KEYS_ROUNDS', 3),
  });
  process.stdout.write(`composite keys: ${keysBenchMarkdown(results)}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `keys-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nresults: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:keys failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});
