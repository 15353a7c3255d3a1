// The foreground load as its own process (run by node-load.ts): an open-loop schedule of single-row
// reads and writes on random ids, each latency measured from when the operation was due.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectSql, type SqlClient } from '../sql-client';
import { foregroundStatements } from './operations';
import type { ForegroundConfig, ForegroundResult } from './types';

interface WorkerConfig extends Omit<ForegroundConfig, 'workDir'> {
  readonly outFile: string;
}

interface Due {
  readonly dueAt: number;
  readonly id: number;
  readonly write: boolean;
}

/** Longest wait for in-flight operations after a stop, so a load stuck behind a lock still ends. */
const DRAIN_LIMIT_MS = 120_000;
/** Operations waiting for a free connection beyond this are counted as failed rather than kept. */
const MAX_QUEUE = 200_000;

async function main() {
  const config = JSON.parse(process.env.LOWTIDE_BENCH_FOREGROUND ?? '{}') as WorkerConfig;
  const clients: SqlClient[] = [];
  for (let i = 0; i < config.connections; i++) clients.push(await connectSql(config.engine, config.url));
  const sql = foregroundStatements(clients[0]!.dialect, config.table);

  const dueAt: number[] = [];
  const latencyMs: number[] = [];
  const serviceMs: number[] = [];
  const ok: boolean[] = [];
  const writes: boolean[] = [];
  const problems: string[] = [];
  const queue: Due[] = [];
  const idle = [...clients];
  const inFlight = new Set<Promise<void>>();
  const epoch = () => performance.timeOrigin + performance.now();

  const record = (op: Due, success: boolean, sentAt = Number.NaN) => {
    const now = epoch();
    dueAt.push(op.dueAt);
    latencyMs.push(now - op.dueAt);
    serviceMs.push(now - sentAt);
    ok.push(success);
    writes.push(op.write);
  };
  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const client = idle.pop()!;
      const op = queue.shift()!;
      const sentAt = epoch();
      const run = client
        .query(op.write ? sql.write : sql.read, [op.id])
        .then(
          () => record(op, true, sentAt),
          (error: Error) => {
            record(op, false, sentAt);
            if (problems.length < 20) problems.push(`error: ${error.message}`);
          },
        )
        .finally(() => {
          idle.push(client);
          inFlight.delete(run);
          dispatch();
        });
      inFlight.add(run);
    }
  };

  let stopping = false;
  process.stdin.on('data', (d) => {
    if (d.toString().includes('stop')) stopping = true;
  });
  process.stdin.on('end', () => {
    stopping = true;
  });
  process.stdout.write('ready\n');

  const start = epoch();
  const interval = 1000 / config.rate;
  const deadline = start + config.maxSeconds * 1000;
  for (let i = 0; !stopping; i++) {
    const due = start + i * interval;
    if (due > deadline) break;
    // Timers may fire a little early; an operation never starts before it is due.
    while (epoch() < due) await sleep(Math.max(1, due - epoch()));
    const op = { dueAt: due, id: 1 + Math.floor(Math.random() * config.maxId), write: Math.random() < 0.5 };
    if (queue.length >= MAX_QUEUE) {
      record(op, false);
      continue;
    }
    queue.push(op);
    dispatch();
  }
  // Operations already due still run: they are part of what the application experienced.
  const drainUntil = epoch() + DRAIN_LIMIT_MS;
  while ((inFlight.size > 0 || queue.length > 0) && epoch() < drainUntil) await sleep(5);
  if (queue.length > 0) {
    problems.push(`not run: ${queue.length} operations still waiting for a connection at the end`);
    for (const op of queue.splice(0)) record(op, false);
  }
  const result: ForegroundResult = {
    samples: dueAt.map((d, i) => ({
      dueAt: d,
      latencyMs: latencyMs[i]!,
      serviceMs: serviceMs[i]!,
      ok: ok[i]!,
      write: writes[i]!,
    })),
    problems,
  };
  writeFileSync(config.outFile, JSON.stringify(result));
  // A connection still stuck behind a lock must not keep the process alive.
  await Promise.race([Promise.allSettled(clients.map((c) => c.close())), sleep(2000)]);
  process.exit(0);
}

main().catch((error: Error) => {
  process.stderr.write(`foreground load failed: ${error.message}\n`);
  process.exit(1);
});
