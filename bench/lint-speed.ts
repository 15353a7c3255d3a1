// `npm run bench:lint`: how long `lowtide lint` takes, as a whole process, on an empty file and on
// a 5,000-statement script per engine, and its peak memory; see docs/benchmarks.md ("lint speed").
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LintBenchEngine, lintBenchScript } from './lint/generate-script';

// LOWTIDE_BENCH_LINT_BIN measures another checkout's command, for a before/after pair.
const BIN =
  process.env.LOWTIDE_BENCH_LINT_BIN ?? fileURLToPath(new URL('../bin/lowtide.js', import.meta.url));
// What an installed package runs for `lowtide lint`: bin/lowtide.js imports dist/cli.js and nothing
// else (no TypeScript loader). Measured too when `npm run build` has made it.
const INSTALLED = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FORMS = [
  { name: 'checkout', script: BIN },
  ...(!process.env.LOWTIDE_BENCH_LINT_BIN && existsSync(INSTALLED)
    ? [{ name: 'installed', script: INSTALLED }]
    : []),
];
const RSS_HOOK = new URL('./lint/report-rss.mjs', import.meta.url).href;
const STATEMENTS = Number(process.env.LOWTIDE_BENCH_LINT_STATEMENTS ?? 5000);
const RUNS = Number(process.env.LOWTIDE_BENCH_LINT_RUNS ?? 5);

interface Run {
  readonly seconds: number;
  readonly peakMiB: number;
  /** User + system CPU time of the process, every thread. */
  readonly cpuSeconds: number;
  readonly exitCode: number | null;
}

async function runOnce(script: string, args: readonly string[], rssFile: string): Promise<Run> {
  const started = process.hrtime.bigint();
  const exitCode = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, ['--import', RSS_HOOK, script, ...args], {
      env: { ...process.env, LOWTIDE_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', done);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = JSON.parse(await readFile(rssFile, 'utf8')) as { maxRssKiB: number; cpuMicros: number };
  return { seconds, peakMiB: usage.maxRssKiB / 1024, cpuSeconds: usage.cpuMicros / 1e6, exitCode };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lowtide-bench-lint-'));
  try {
    const cases: { name: string; engine: LintBenchEngine; file: string }[] = [];
    await writeFile(join(dir, 'empty.sql'), '');
    cases.push({ name: 'empty file', engine: 'postgres', file: join(dir, 'empty.sql') });
    for (const engine of ['postgres', 'mysql', 'mariadb'] as const) {
      const file = join(dir, `${engine}-${STATEMENTS}.sql`);
      await writeFile(file, lintBenchScript(engine, STATEMENTS));
      cases.push({ name: `${STATEMENTS.toLocaleString('en-US')} statements`, engine, file });
    }
    process.stdout.write(`lowtide lint, whole process, median of ${RUNS} runs after one warm-up\n\n`);
    process.stdout.write(
      '| form | case | engine | seconds (min-max) | CPU seconds | peak MiB | exit |\n|---|---|---|---|---|---|---|\n',
    );
    for (const form of FORMS) {
      for (const c of cases) {
        const args = ['lint', '--engine', c.engine, c.file];
        await runOnce(form.script, args, join(dir, 'rss'));
        const runs: Run[] = [];
        for (let i = 0; i < RUNS; i++) runs.push(await runOnce(form.script, args, join(dir, 'rss')));
        const seconds = runs.map((r) => r.seconds);
        process.stdout.write(
          `| ${form.name} | ${c.name} | ${c.engine} | ${median(seconds).toFixed(2)} (${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)}) | ${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} | ${median(runs.map((r) => r.peakMiB)).toFixed(0)} | ${runs[0]!.exitCode} |\n`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(2);
});
