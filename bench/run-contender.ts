import { setTimeout as sleep } from 'node:timers/promises';
import type { LatencyProfile } from '../src/runtime/local/latency-profile';
import type { BenchDatabase } from './bench-database';
import type { Contender, ContenderContext } from './contenders/types';
import type { ForegroundDriver } from './foreground/start-foreground';
import { type ForegroundLoad, type ForegroundStats, summarizeForeground } from './foreground/types';
import { cpuTimeMs, type MachineCpu, watchMachineCpu } from './measure/cpu-time';
import type { ContenderResult } from './report/results';
import type { BenchEngine, BenchProfile, BenchSettings } from './settings';
import { connectSql } from './sql-client';
import { seedTable } from './workload/seed';
import { verifyOutcome } from './workload/verify-outcome';
import type { WorkItem } from './workload/work-items';

export interface RunContext {
  readonly settings: BenchSettings;
  readonly engine: BenchEngine;
  readonly database: BenchDatabase;
  readonly driver: ForegroundDriver;
  readonly profile: BenchProfile;
  readonly latency: LatencyProfile;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

/** A fresh copy of the work item's table (dropped and seeded again). */
export async function seed(ctx: RunContext, item: WorkItem): Promise<void> {
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

/** Machine CPU below this share counts as quiet. */
const QUIET_BUSY = 0.1;

/**
 * Waits until the machine is quiet before the baseline: the servers go on working for seconds after
 * a contender (InnoDB purging undo, PostgreSQL writing out dirty pages), and that work would
 * otherwise land in the next contender's baseline and window, always the same contender's.
 */
async function settle(ctx: RunContext): Promise<void> {
  if (ctx.settings.settleSeconds === 0) return;
  const deadline = performance.now() + ctx.settings.settleSeconds * 1000;
  let waited = 0;
  for (;;) {
    const watch = watchMachineCpu();
    await sleep(1000);
    const { busy } = watch.end();
    if (!(busy >= QUIET_BUSY)) break; // NaN (no /proc/stat) counts as quiet: nothing to wait for
    waited++;
    if (performance.now() > deadline) {
      ctx.log(`  the machine stayed ${(busy * 100).toFixed(0)}% busy for ${waited} s; measuring anyway`);
      return;
    }
  }
  if (waited > 0) ctx.log(`  waited ${waited} s for the machine to quieten`);
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
export async function runContender(
  ctx: RunContext,
  item: WorkItem,
  contender: Contender,
): Promise<ContenderResult> {
  const head = {
    name: contender.name,
    description: contender.describe?.(ctx.settings) ?? contender.description,
  };
  await seed(ctx, item);
  await settle(ctx);
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
    profile: ctx.profile,
    latency: ctx.latency,
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
