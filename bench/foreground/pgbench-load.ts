import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresDialect } from '../../src/db/postgres/dialect';
import { waitForExit } from '../child-process';
import { BenchSetupError } from '../errors';
import type { ForegroundConfig, ForegroundLoad, ForegroundResult, ForegroundSample } from './types';

/** Longest wait, after a stop, for every client's log to reach past the stop. */
const FLUSH_LIMIT_MS = 120_000;

/** The same two operations as the Node load (operations.ts); pgbench logs which script ran. */
function scripts(table: string): { read: string; write: string } {
  const t = postgresDialect.quoteIdent(table);
  return {
    read: `\\set id random(1, :maxid)\nSELECT id, amount, touched, score FROM ${t} WHERE id = :id;\n`,
    write: `\\set id random(1, :maxid)\nUPDATE ${t} SET touched = touched + 1 WHERE id = :id;\n`,
  };
}

/** Script numbers in pgbench's log follow the order of the -f options. */
const WRITE_SCRIPT = 1;

interface Parsed {
  readonly samples: ForegroundSample[];
  /** Per client, the latest due time logged. */
  readonly latestDue: Map<number, number>;
}

/**
 * pgbench's per-transaction log: `client tx time script epoch_s epoch_us [schedule_lag]`, in
 * microseconds, the epoch pair when the transaction ended. Under `-R`, `time` runs from the
 * transaction's scheduled start, so it already contains `schedule_lag` (the wait before it could
 * start); the time in the server is the difference. A failed transaction logs `failed`.
 */
function parseLogs(dir: string, prefix: string): Parsed {
  const samples: ForegroundSample[] = [];
  const latestDue = new Map<number, number>();
  for (const file of readdirSync(dir).filter((f) => f.startsWith(`${prefix}.`))) {
    const text = readFileSync(join(dir, file), 'utf8');
    // The last line may be half written while pgbench runs.
    const lines = text.endsWith('\n') ? text.split('\n') : text.split('\n').slice(0, -1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length < 6) continue;
      const client = Number(f[0]);
      const endedAt = Number(f[4]) * 1000 + Number(f[5]) / 1000;
      const ok = /^\d+$/.test(f[2]!);
      const latencyMs = ok ? Number(f[2]) / 1000 : 0;
      const serviceMs = ok ? latencyMs - Number(f[6] ?? 0) / 1000 : 0;
      const dueAt = endedAt - latencyMs;
      samples.push({ dueAt, latencyMs, serviceMs, ok, write: Number(f[3]) === WRITE_SCRIPT });
      latestDue.set(client, Math.max(latestDue.get(client) ?? 0, dueAt));
    }
  }
  return { samples, latestDue };
}

/**
 * The PostgreSQL foreground load through pgbench: a custom script, a fixed rate (`-R`, so latency
 * counts from when each transaction was due) and per-transaction logs. pgbench cannot be told to
 * stop early and flush, so a stop waits until every live client has logged a transaction due
 * after the stop, then interrupts it: everything due before the stop is on disk by then.
 */
export async function startPgbenchLoad(config: ForegroundConfig, pgbench: string): Promise<ForegroundLoad> {
  const url = new URL(config.url);
  const { read, write } = scripts(config.table);
  const readFile = join(config.workDir, 'foreground-read.pgbench.sql');
  const writeFile = join(config.workDir, 'foreground-write.pgbench.sql');
  writeFileSync(readFile, read);
  writeFileSync(writeFile, write);
  const prefix = `pgbench-${Date.now()}`;
  const threads = Math.min(config.connections, 2);
  const args = [
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
    '-n',
    '-c',
    String(config.connections),
    '-j',
    String(threads),
    '-R',
    String(config.rate),
    '-T',
    String(config.maxSeconds),
    // Half reads, half writes, drawn at random per transaction.
    '-f',
    `${readFile}@1`,
    '-f',
    `${writeFile}@1`,
    '-D',
    `maxid=${config.maxId}`,
    '--log',
    `--log-prefix=${join(config.workDir, prefix)}`,
    decodeURIComponent(url.pathname.slice(1)),
  ];
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const child = spawn(pgbench, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = waitForExit(child, (config.maxSeconds + 180) * 1000);
  const aborted = new Set<number>();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const m of stderr.matchAll(/client (\d+) aborted/g)) aborted.add(Number(m[1]));
  });

  // Started once every client has logged a transaction, or pgbench already failed.
  const startedBy = Date.now() + 30_000;
  for (;;) {
    const running = await Promise.race([exited.then(() => false), sleep(100).then(() => true)]);
    if (!running) {
      const r = await exited;
      throw new BenchSetupError(`pgbench exited before the load started (${r.code}): ${r.stderr.trim()}`);
    }
    if (parseLogs(config.workDir, prefix).latestDue.size + aborted.size >= config.connections) break;
    if (Date.now() > startedBy) {
      child.kill('SIGINT');
      throw new BenchSetupError(
        `pgbench did not start its ${config.connections} clients within 30 s: ${stderr.trim()}`,
      );
    }
  }

  return {
    driver: 'pgbench',
    async stop(): Promise<ForegroundResult> {
      const stopAt = Date.now();
      const flushBy = stopAt + FLUSH_LIMIT_MS;
      let finished = false;
      exited.then(() => {
        finished = true;
      });
      while (!finished && Date.now() < flushBy) {
        const { latestDue } = parseLogs(config.workDir, prefix);
        const live = [...Array(config.connections).keys()].filter((c) => !aborted.has(c));
        if (live.every((c) => (latestDue.get(c) ?? 0) > stopAt)) break;
        await sleep(200);
      }
      if (!finished) child.kill('SIGINT');
      const r = await exited;
      const { samples } = parseLogs(config.workDir, prefix);
      const problems = [...aborted].map((c) => `aborted: pgbench client ${c}`);
      if (r.stderr.trim()) problems.push(...r.stderr.trim().split('\n').slice(0, 5));
      return { samples, problems };
    },
  };
}
