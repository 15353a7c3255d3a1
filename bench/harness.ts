import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { resolveLatency } from '../src/runtime/local/latency-profile';
import { createBenchDatabase } from './bench-database';
import { CONTENDERS } from './contenders';
import type { Availability, Contender } from './contenders/types';
import { foregroundDriver } from './foreground/start-foreground';
import { measurePauseLatency } from './measure/pause-latency';
import type { BenchResults, ContenderResult, WorkResult } from './report/results';
import { summarizeContender } from './report/summarize';
import { judgeTargets } from './report/targets';
import { type RunContext, runContender, seed } from './run-contender';
import type { BenchSettings, WorkKind } from './settings';
import { workItem } from './workload/work-items';

export interface HarnessOptions {
  readonly log: (line: string) => void;
  /** Contenders to run (all by default). */
  readonly contenders?: readonly Contender[];
}

/** lowtide paused mid-run on a freshly seeded table (see measure/pause-latency.ts). */
async function pauseRun(
  ctx: RunContext,
  item: ReturnType<typeof workItem>,
  taking: readonly Contender[],
): Promise<WorkResult['pause']> {
  if (!taking.some((c) => c.name === 'lowtide')) return undefined;
  await seed(ctx, item);
  const { engine, database, settings, profile, latency, log } = ctx;
  try {
    const pause = await measurePauseLatency({ engine, database, item, settings, profile, latency, log });
    log(
      `  lowtide paused mid-run: ended ${pause.exit}; last commit ${pause.lastCommitAfterMs.toFixed(0)} ms and end ` +
        `${pause.stoppedAfterMs.toFixed(0)} ms after the request; ${pause.batchesAfterRequest} batch(es) committed after it`,
    );
    return pause;
  } catch (error) {
    const failed = `${(error as Error).name}: ${(error as Error).message}`;
    log(`  lowtide's pause measurement FAILED — ${failed}`);
    return { failed };
  }
}

async function runWork(
  ctx: RunContext,
  kind: WorkKind,
  contenders: readonly Contender[],
  availability: ReadonlyMap<Contender, Availability>,
): Promise<WorkResult> {
  const item = workItem(kind, ctx.settings.rows);
  ctx.log(
    `${ctx.engine} ${kind}, latency profile ${ctx.profile}: ${item.targetRows} rows to change in a table of ${item.tableRows}`,
  );
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
        description: c.describe?.(ctx.settings) ?? c.description,
        status: 'unavailable' as const,
        reason: available.reason,
        rounds: [],
      };
    }
    return summarizeContender(c.name, c.describe?.(ctx.settings) ?? c.description, rounds.get(c)!);
  });
  const pause = await pauseRun(ctx, item, taking);
  return {
    engine: ctx.engine,
    work: kind,
    profile: ctx.profile,
    latency: ctx.latency,
    serverVersion: ctx.database.serverVersion,
    targetRows: item.targetRows,
    tableRows: item.tableRows,
    foregroundDriver: ctx.driver.name,
    foregroundNote: ctx.driver.note,
    rounds: ctx.settings.rounds,
    contenders: summaries,
    ...(pause ? { pause } : {}),
    targets: judgeTargets(summaries, ctx.profile, pause),
  };
}

/**
 * The whole bench: per engine a database of its own; per work item each contender on a freshly
 * seeded table, the foreground load running first alone (the baseline) and then beside it; the
 * outcome of each is counted before its numbers are kept.
 */
export async function runBench(settings: BenchSettings, options: HarnessOptions): Promise<BenchResults> {
  const { log } = options;
  const contenders = options.contenders ?? CONTENDERS.filter((c) => settings.contenders.includes(c.name));
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
        for (const kind of settings.work) {
          for (const profile of settings.profiles) {
            const latency = resolveLatency(profile);
            const ctx: RunContext = { settings, engine, database, driver, profile, latency, workDir, log };
            results.push(await runWork(ctx, kind, contenders, availability));
          }
        }
      } finally {
        await database.drop();
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const cpus = os.cpus();
  return {
    schema: 2,
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
      profiles: settings.profiles,
      ...(settings.lowtideJob ? { lowtideJob: settings.lowtideJob } : {}),
    },
    results,
  };
}
