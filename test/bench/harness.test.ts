import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBench } from '../../bench/harness';
import { renderMarkdown } from '../../bench/report/markdown';
import type { BenchResults } from '../../bench/report/results';
import { DOCS_END, DOCS_START, updateDocsTable, writeResults } from '../../bench/report/write-results';
import { benchSettings } from '../../bench/settings';
import { AWS_LATENCY, NO_LATENCY } from '../../src/runtime/local/latency-profile';

const ROWS = 1500;

/**
 * A small run of the whole bench on both local servers: every contender does its work on a fresh
 * table while the foreground load runs, and the harness counts each outcome before keeping numbers.
 * The full-size bench (`npm run bench`) stays out of `npm test`.
 */
describe('the bench harness, run small', () => {
  let dir: string;
  let results: BenchResults;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'lowtide-bench-test-'));
    const { postgres, mysql } = inject('databases');
    const env = {
      LOWTIDE_BENCH_ROWS: String(ROWS),
      LOWTIDE_BENCH_PG_URL: postgres,
      LOWTIDE_BENCH_MYSQL_URL: mysql,
      LOWTIDE_BENCH_BASELINE_SECONDS: '1',
      LOWTIDE_BENCH_WARMUP_MS: '200',
      // The other test files keep the machine busy; waiting for quiet would only slow the smoke run.
      LOWTIDE_BENCH_SETTLE_SECONDS: '0',
      LOWTIDE_BENCH_FG_RATE: '200',
      LOWTIDE_BENCH_FG_CONNECTIONS: '2',
      LOWTIDE_BENCH_TIMEOUT_SECONDS: '120',
    };
    const resultsDir = join(dir, 'results');
    // Two small runs instead of the full cross product: each engine once, each work kind once,
    // and the MySQL purge is where pt-archiver takes part.
    const runs: BenchResults[] = [];
    // The PostgreSQL run takes two rounds, so the medians over rounds are exercised too, under both
    // latency profiles; the MySQL purge runs under the AWS profile, pt-archiver's proxy delaying too.
    for (const [engine, work, rounds, profiles] of [
      ['postgres', 'backfill', '2', 'none,aws'],
      ['mysql', 'purge', '1', 'aws'],
    ]) {
      const settings = benchSettings(
        {
          ...env,
          LOWTIDE_BENCH_ENGINES: engine,
          LOWTIDE_BENCH_WORK: work,
          LOWTIDE_BENCH_ROUNDS: rounds,
          LOWTIDE_BENCH_PROFILES: profiles,
        },
        { resultsDir },
      );
      expect(settings.updateDocs).toBe(false);
      runs.push(await runBench(settings, { log: (line) => lines.push(line) }));
    }
    results = { ...runs[0]!, results: runs.flatMap((r) => r.results) };
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs both work items on both engines, each contender leaving the table as the work requires', () => {
    expect(results.results.map((r) => `${r.engine} ${r.work} ${r.profile}`)).toEqual([
      'postgres backfill none',
      'postgres backfill aws',
      'mysql purge aws',
    ]);
    for (const work of results.results) {
      const names = work.contenders.map((c) => c.name);
      const expected = ['monolithic', 'hand-loop', 'lowtide'];
      if (work.engine === 'mysql' && work.work === 'purge') expected.splice(2, 0, 'pt-archiver');
      expect(names).toEqual(expected);
      for (const c of work.contenders) {
        if (c.status === 'unavailable') {
          // Only pt-archiver may be missing, and then the reason says what to install.
          expect(c.name).toBe('pt-archiver');
          expect(c.reason).toMatch(/percona-toolkit/);
          continue;
        }
        expect(c.status, `${work.engine} ${work.work} ${c.name}: ${c.reason}`).toBe('measured');
        expect(c.rounds).toHaveLength(work.rounds);
        for (const r of c.rounds) {
          expect(r.rows).toBe(ROWS);
          expect(r.outcome?.ok).toBe(true);
          expect(r.rowsPerSecond).toBeGreaterThan(0);
          expect(r.transactions).toBeGreaterThanOrEqual(1);
          expect(r.longestTxMs).toBeGreaterThan(0);
          expect(r.longestTxMs).toBeLessThanOrEqual(r.wallMs!);
          expect(r.foreground?.driver).toBe(work.foregroundDriver);
        }
        const perRound = c.rounds.map((r) => r.rowsPerSecond!);
        expect(c.rowsPerSecond).toBeGreaterThanOrEqual(Math.min(...perRound));
        expect(c.rowsPerSecond).toBeLessThanOrEqual(Math.max(...perRound));
        expect(c.longestTxMs).toBe(Math.max(...c.rounds.map((r) => r.longestTxMs!)));
        expect(c.foreground?.errors).toBe(c.rounds.reduce((n, r) => n + r.foreground!.errors, 0));
      }
    }
    expect(results.results.map((w) => w.rounds)).toEqual([2, 2, 1]);
  });

  it('measures the foreground load alone just before each contender, then beside it, reads and writes apart', () => {
    const ran = results.results
      .flatMap((w) => w.contenders)
      .filter((c) => c.status === 'measured')
      .flatMap((c) => c.rounds);
    for (const c of ran) {
      const { baseline, foreground } = c;
      // 1 s at 200 operations a second.
      expect(baseline!.operations).toBeGreaterThan(100);
      expect(baseline!.errors).toBe(0);
      expect(baseline!.readLatencyMs.count).toBeGreaterThan(0);
      expect(baseline!.writeLatencyMs.count).toBeGreaterThan(0);
      expect(baseline!.readServiceMs.count).toBe(baseline!.readLatencyMs.count);
      expect(baseline!.readServiceMs.p99).toBeLessThanOrEqual(baseline!.readLatencyMs.p99);
      expect(baseline!.latencyMs.p99).toBeGreaterThan(0);
      expect(baseline!.latencyMs.max).toBeGreaterThanOrEqual(baseline!.latencyMs.p99);
      expect(foreground!.readLatencyMs.count + foreground!.writeLatencyMs.count).toBe(
        foreground!.latencyMs.count,
      );
      expect(c.machine!.cpus).toBeGreaterThan(0);
    }
  });

  it("takes lowtide's longest transaction from its batch history, and its cost from the definition", () => {
    for (const work of results.results) {
      for (const lt of work.contenders.find((c) => c.name === 'lowtide')!.rounds) {
        const d = lt.lowtide!;
        expect(d.exit).toBe('Completed');
        expect(d.batches).toBe(lt.transactions);
        expect(d.batchRows.count * d.batchRows.mean).toBeCloseTo(ROWS, 5);
        expect(lt.longestTxMs).toBe(d.batchMs.max);
        expect(d.batchRange).toEqual({ min: 100, max: 20_000, first: 1000 });
        expect(d.states.ApplyBatch!.invocations).toBe(d.batches + 1 + d.retries);
        expect(d.cost.transitionsPerBatchPath[0]).toBe('HealthGate');
        expect(d.cost.transitionsPerBatchPath).toContain('ApplyBatch');
        expect(d.cost.transitionsPerBatchPath).toContain('VerifyBatch');
        expect(d.cost.transitionsPerBatch).toBe(d.cost.transitionsPerBatchPath.length);
        expect(d.cost.lambdaGbSecondsPerMillionRows).toBeGreaterThan(0);
        expect(d.dynamoRequests.UpdateItem).toBeGreaterThan(0);
        expect(d.cost.usdPerMillionRows.total).toBeGreaterThan(0);
      }
      expect(work.targets.map((t) => t.id)).toEqual(
        work.profile === 'aws'
          ? [
              'throughput-vs-hand-loop',
              'foreground-p99-vs-hand-loop',
              'longest-transaction',
              'cost-per-million-rows',
              'pause-latency',
            ]
          : [
              'throughput-vs-hand-loop',
              'throughput-vs-monolithic',
              'longest-transaction',
              'foreground-p99',
              'pause-latency',
            ],
      );
      expect(work.targets[0]!.threshold).toBe(work.profile === 'aws' ? 0.9 : 1.0);
      for (const t of work.targets) {
        expect(t.met || Boolean(t.reason)).toBe(true);
        // At this size the run may finish before the pause takes effect; then the target says so.
        if (t.id === 'pause-latency' && t.value === null)
          expect(t.reason).toMatch(/ended Completed before the pause/);
        else expect(t.value).not.toBeNull();
      }
      const pause = work.pause!;
      expect(pause).toBeDefined();
      expect('failed' in pause, JSON.stringify(pause)).toBe(false);
      if (!('failed' in pause)) {
        expect(['Paused', 'Completed']).toContain(pause.exit);
        expect(pause.stoppedAfterMs).toBeGreaterThanOrEqual(pause.lastCommitAfterMs);
        // Paused can come after the last batch and before the step that finds nothing left.
        if (pause.exit === 'Paused') expect(pause.rowsDone).toBeLessThanOrEqual(ROWS);
        else expect(pause.rowsDone).toBe(ROWS);
      }
    }
  });

  it("pays the AWS profile's latencies under it, and none without it", () => {
    for (const work of results.results) {
      expect(work.latency).toEqual(work.profile === 'aws' ? AWS_LATENCY : NO_LATENCY);
      for (const lt of work.contenders.find((c) => c.name === 'lowtide')!.rounds) {
        const d = lt.lowtide!;
        const transitions = (d.cost.transitionsPerMillionRows * lt.rows!) / 1_000_000;
        const invocations = Object.values(d.states).reduce((n, s) => n + s.invocations, 0);
        const requests = Object.values(d.dynamoRequests).reduce((n, c) => n + c, 0);
        expect(transitions).toBeGreaterThan(d.batches * 5);
        // A lower bound only: the delays can make a run slower, never faster.
        const paid =
          transitions * AWS_LATENCY.stateTransitionMs +
          invocations * AWS_LATENCY.lambdaInvokeMs +
          requests * AWS_LATENCY.dynamoRequestMs;
        if (work.profile === 'aws') expect(lt.wallMs!).toBeGreaterThanOrEqual(paid);
      }
    }
  });

  it('says in the log what it could not run, and writes the results and the docs table', () => {
    const ptArchiver = results.results.flatMap((w) => w.contenders).find((c) => c.name === 'pt-archiver');
    if (ptArchiver?.status === 'unavailable') {
      expect(lines.join('\n')).toMatch(/pt-archiver is not available and will not run/);
    }
    const file = writeResults(join(dir, 'results'), results);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(results)));
    expect(readFileSync(join(dir, 'results', 'latest.json'), 'utf8')).toBe(readFileSync(file, 'utf8'));

    const markdown = renderMarkdown(results);
    for (const name of ['monolithic', 'hand-loop', 'lowtide', 'pt-archiver']) {
      expect(markdown).toContain(`| ${name} |`);
    }
    expect(markdown).toContain('| foreground during | p99 just before (no job) |');
    expect(markdown).toContain('lowtide (its median round): ');
    expect(markdown).toContain('### Targets against the hand-written loop, per work item');
    expect(markdown).toContain('| PostgreSQL backfill | ');
    expect(markdown).toContain('rows, AWS latency profile (');
    expect(markdown).toContain('rows, no latency profile (');
    const docs = join(dir, 'benchmarks.md');
    writeFileSync(docs, `# page\n\nbefore\n${DOCS_START}\nold table\n${DOCS_END}\nafter\n`);
    expect(updateDocsTable(docs, markdown)).toBeUndefined();
    const page = readFileSync(docs, 'utf8');
    expect(page).not.toContain('old table');
    expect(page.startsWith('# page\n\nbefore\n')).toBe(true);
    expect(page.endsWith(`${DOCS_END}\nafter\n`)).toBe(true);
    expect(page).toContain('| lowtide |');
  });
});
