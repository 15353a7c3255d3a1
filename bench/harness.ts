import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchDatabase, createBenchDatabase } from './bench-database';
import { CONTENDERS } from './contenders';
import type { Availability, Contender, ContenderContext } from './contenders/types';
import { type ForegroundDriver, foregroundDriver } from './foreground/start-foreground';
import { type ForegroundLoad, type ForegroundStats, summarizeForeground } from './foreground/types';
import { cpuTimeMs, type MachineCpu, watchMachineCpu } from './measure/cpu-time';
import type { BenchResults, ContenderResult, WorkResult } from './report/results';
import { summarizeContender } from './report/summarize';
import { judgeTargets } from './report/targets';
import type { BenchEngine, BenchSettings, WorkKind } from './settings';
import { connectSql } from './sql-client';
import { seedTable } from './workload/seed';
import { verifyOutcome } from './workload/verify-outcome';
import { type WorkItem, workItem } from './workload/work-items';

export interface HarnessOptions {
  readonly log: (line: string) => void;
  /** Contenders to run (all by default). */
  readonly contenders?: readonly Contender[];
}

interface RunContext {
  readonly settings: BenchSettings;
  readonly engine: BenchEngine;
  readonly database: BenchDatabase;
  readonly driver: ForegroundDriver;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

async function seed(ctx: RunContext, item: WorkItem): Promise<void> {
  const client = await connectSql(ctx.engine, ctx.database.url);
  try {
    const started = performance.now();
    await seedTable(client, item);
    ctx.log(
      `  seeded ${item.table}: ${item.tableRows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await client.close();
  }
}

async function startLoad(ctx: RunContext, item: WorkItem): Promise<ForegroundLoad> {
  return ctx.driver.start({
    engine: ctx.engine,
    url: ctx.database.url,
    table: item.table,
    maxId: item.tableRows,
    rate: ctx.settings.foregroundRate,
    connections: ctx.settings.foregroundConnections,
    maxSeconds: ctx.settings.contenderTimeoutSeconds + ctx.settings.baselineSeconds + 60,
    workDir: ctx.workDir,
  });
}

interface Window {
  readonly from: number;
  readonly to: number;
  readonly machine: MachineCpu;
}

function describeFg(stats: ForegroundStats, machine: MachineCpu): string {
  return (
    `p50 ${stats.latencyMs.p50.toFixed(2)} ms, p99 ${stats.latencyMs.p99.toFixed(2)} ms, ` +
    `max ${stats.latencyMs.max.toFixed(0)} ms, ${stats.errors} errors; ` +
    `machine ${(machine.busy * 100).toFixed(0)}% busy, load ${machine.loadAverage.toFixed(1)}`
  );
}

/**
 * One contender on a freshly seeded table, with the foreground load beside it. The load first runs
 * alone for the baseline, right before the contender starts, so the two are compared under the same
 * conditions on this machine (other work on it comes and goes).
 */
async function runContender(ctx: RunContext, item: WorkItem, contender: Contender): Promise<ContenderResult> {
  const head = { name: contender.name, description: contender.description };
  await seed(ctx, item);
  const load = await startLoad(ctx, item);
  await sleep(ctx.settings.warmUpMs);

  const baselineFrom = Date.now();
  const baselineWatch = watchMachineCpu();
  await sleep(ctx.settings.baselineSeconds * 1000);
  const baselineWindow: Window = { from: baselineFrom, to: Date.now(), machine: baselineWatch.end() };

  const contenderCtx: ContenderContext = {
    engine: ctx.engine,
    database: ctx.database,
    item,
    settings: ctx.settings,
    log: ctx.log,
  };
  const from = Date.now();
  const watch = watchMachineCpu();
  const cpuBefore = cpuTimeMs();
  let run: Awaited<ReturnType<Contender['run']>> | undefined;
  let failure: string | undefined;
  try {
    run = await contender.run(contenderCtx);
  } catch (error) {
    failure = `${(error as Error).name}: ${(error as Error).message}`;
  }
  const clientCpuMs = cpuTimeMs() - cpuBefore;
  const window: Window = { from, to: Date.now(), machine: watch.end() };

  const samples = await load.stop();
  const baseline = summarizeForeground(load.driver, samples, baselineWindow.from, baselineWindow.to);
  const foreground = summarizeForeground(load.driver, samples, window.from, window.to);
  const measuredFg = {
    baseline,
    baselineMachine: baselineWindow.machine,
    foreground,
    machine: window.machine,
  };
  ctx.log(`  ${contender.name} baseline just before: ${describeFg(baseline, baselineWindow.machine)}`);
  if (!run) {
    ctx.log(`  ${contender.name}: FAILED — ${failure}`);
    return { ...head, status: 'failed', reason: failure, ...measuredFg };
  }
  const client = await connectSql(ctx.engine, ctx.database.url);
  const outcome = await verifyOutcome(client, item).finally(() => client.close());
  const rowsPerSecond = run.rows / (run.wallMs / 1000);
  const wrongCount = run.rows !== item.targetRows;
  const status = outcome.ok && !wrongCount ? 'measured' : 'failed';
  const reason = !outcome.ok
    ? `the table is not as the work requires: ${outcome.detail}`
    : wrongCount
      ? `reported ${run.rows} rows changed, expected ${item.targetRows}`
      : undefined;
  ctx.log(
    `  ${contender.name}: ${run.rows} rows in ${(run.wallMs / 1000).toFixed(1)} s (${Math.round(rowsPerSecond)} rows/s), ` +
      `longest tx ${run.longestTxMs.toFixed(0)} ms over ${run.transactions} tx; foreground ${describeFg(foreground, window.machine)}` +
      `${reason ? `; FAILED: ${reason}` : ''}`,
  );
  return {
    ...head,
    status,
    ...(reason ? { reason } : {}),
    rows: run.rows,
    wallMs: run.wallMs,
    rowsPerSecond,
    longestTxMs: run.longestTxMs,
    transactions: run.transactions,
    longestTxSource: run.longestTxSource,
    clientCpuMs,
    ...measuredFg,
    outcome,
    ...(run.lowtide ? { lowtide: run.lowtide } : {}),
  };
}

async function runWork(
  ctx: RunContext,
  kind: WorkKind,
  contenders: readonly Contender[],
  availability: ReadonlyMap<Contender, Availability>,
): Promise<WorkResult> {
  const item = workItem(kind, ctx.settings.rows);
  ctx.log(`${ctx.engine} ${kind}: ${item.targetRows} rows to change in a table of ${item.tableRows}`);
  const taking = contenders.filter((c) => c.appliesTo(ctx.engine, item));
  const rounds = new Map<Contender, ContenderResult[]>(taking.map((c) => [c, []]));
  // Round after round rather than contender after contender, so other work on the machine, which
  // comes and goes, falls on every contender alike.
  for (let round = 1; round <= ctx.settings.rounds; round++) {
    if (ctx.settings.rounds > 1) ctx.log(`  round ${round} of ${ctx.settings.rounds}`);
    for (const contender of taking) {
      const available = availability.get(contender);
      if (available && !available.available) {
        if (round === 1) ctx.log(`  ${contender.name}: not run — ${available.reason}`);
        continue;
      }
      rounds.get(contender)!.push(await runContender(ctx, item, contender));
    }
  }
  const summaries = taking.map((c) => {
    const available = availability.get(c);
    if (available && !available.available) {
      return {
        name: c.name,
        description: c.description,
        status: 'unavailable' as const,
        reason: available.reason,
        rounds: [],
      };
    }
    return summarizeContender(c.name, c.description, rounds.get(c)!);
  });
  return {
    engine: ctx.engine,
    work: kind,
    serverVersion: ctx.database.serverVersion,
    targetRows: item.targetRows,
    tableRows: item.tableRows,
    foregroundDriver: ctx.driver.name,
    foregroundNote: ctx.driver.note,
    rounds: ctx.settings.rounds,
    contenders: summaries,
    targets: judgeTargets(summaries),
  };
}

/**
 * The whole bench: per engine a database of its own; per work item each contender on a freshly
 * seeded table, the foreground load running first alone (the baseline) and then beside it; the
 * outcome of each is counted before its numbers are kept.
 */
export async function runBench(settings: BenchSettings, options: HarnessOptions): Promise<BenchResults> {
  const { log } = options;
  const contenders = options.contenders ?? CONTENDERS;
  const startedAt = new Date().toISOString();
  const availability = new Map<Contender, Availability>();
  for (const c of contenders) {
    const a = await c.availability(settings);
    availability.set(c, a);
    if (!a.available)
      log(`${c.name} is not available and will not run: ${a.reason}; the other contenders run without it`);
  }
  const workDir = mkdtempSync(join(os.tmpdir(), 'lowtide-bench-'));
  const results: WorkResult[] = [];
  try {
    for (const engine of settings.engines) {
      const database = await createBenchDatabase(engine, settings.adminUrls[engine]);
      log(`${engine}: ${database.serverVersion}, bench database ${database.name}`);
      try {
        const driver = await foregroundDriver(engine, settings);
        const ctx: RunContext = { settings, engine, database, driver, workDir, log };
        for (const kind of settings.work) results.push(await runWork(ctx, kind, contenders, availability));
      } finally {
        await database.drop();
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const cpus = os.cpus();
  return {
    schema: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    host: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    settings: {
      rows: settings.rows,
      foregroundRate: settings.foregroundRate,
      foregroundConnections: settings.foregroundConnections,
      baselineSeconds: settings.baselineSeconds,
      warmUpMs: settings.warmUpMs,
      msPerSecond: settings.msPerSecond,
      rounds: settings.rounds,
    },
    results,
  };
}
