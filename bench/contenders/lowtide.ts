import { randomBytes } from 'node:crypto';
import { startLocalDynamo } from '../../src/control/local-dynamodb';
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import { pacingSeconds } from '../../src/runtime/handlers/common';
import { createLocalRuntime } from '../../src/runtime/local';
import type { LocalRunChain, RuntimeEvent } from '../../src/runtime/local/types';
import { transitionModel } from '../cost/asl-transitions';
import { lowtideDetails } from '../cost/lowtide-details';
import { ContenderFailedError } from '../errors';
import { startDynamoRequestCounter } from '../measure/dynamo-request-counter';
import type { BenchEngine, LowtideJobOverrides } from '../settings';
import type { WorkItem } from '../workload/work-items';
import type { Contender } from './types';

/** The connection name the bench's lowtide job uses. */
export const LOWTIDE_CONNECTION = 'bench';

/**
 * The job as its author would write it: only what the work needs; every batch and pacing setting
 * default. Each run is a new job (its own id), so it starts from nothing in the ledger, as a first
 * run on a fresh table does.
 */
export function benchJob(engine: BenchEngine, item: WorkItem, overrides?: LowtideJobOverrides): JobSpec {
  const common = {
    id: `bench-${item.kind}-${randomBytes(4).toString('hex')}`,
    owner: 'lowtide-bench',
    engine,
    database: LOWTIDE_CONNECTION,
    table: item.table,
    key: item.key,
    where: item.where,
    ...(overrides?.batch ? { batch: overrides.batch } : {}),
    ...(overrides?.health ? { health: overrides.health } : {}),
  } as const;
  return item.set
    ? defineJob({ ...common, kind: 'update', set: { ...item.set } })
    : defineJob({ ...common, kind: 'delete' });
}

/** Follows the runtime's events: batch durations and sizes, each handler's time, back-offs, retries. */
function observe() {
  const batches: { durationMs: number; selected: number }[] = [];
  const taskMs: Record<string, number[]> = {};
  const startedAt = new Map<string, number>();
  let healthWaits = 0;
  let retries = 0;
  const onEvent = (event: RuntimeEvent) => {
    const now = performance.now();
    switch (event.type) {
      case 'task-started':
        startedAt.set(`${event.executionName}/${event.state}`, now);
        return;
      case 'task-succeeded':
      case 'task-failed': {
        const key = `${event.executionName}/${event.state}`;
        const from = startedAt.get(key);
        if (from !== undefined) {
          const durations = taskMs[event.state] ?? [];
          durations.push(now - from);
          taskMs[event.state] = durations;
        }
        startedAt.delete(key);
        if (event.type === 'task-failed' && event.state === 'ApplyBatch') retries++;
        return;
      }
      case 'batch-applied':
        batches.push({ durationMs: event.batch.durationMs, selected: event.batch.selected });
        return;
      case 'health':
        if (event.decision === 'wait') healthWaits++;
        return;
    }
  };
  return { onEvent, batches, taskMs, healthWaits: () => healthWaits, retries: () => retries };
}

function failure(chain: LocalRunChain): string {
  const why = chain.cause ?? chain.error ?? JSON.stringify(chain.output?.stop ?? chain.output?.health ?? {});
  return `lowtide ended in ${chain.exit ?? chain.status}, not Completed: ${why}`;
}

/**
 * lowtide through its local runtime: the deployed state machine definition and the real handlers
 * in this process, the control table in an in-process DynamoDB (its requests counted on the way),
 * and Wait states at real time unless LOWTIDE_BENCH_MS_PER_SECOND says otherwise.
 */
export const lowtide: Contender = {
  name: 'lowtide',
  description: 'lowtide local runtime, job defaults (adaptive batch 1,000..20,000, target 500 ms)',
  describe: (settings) =>
    settings.lowtideJob
      ? `lowtide local runtime, job defaults changed by LOWTIDE_BENCH_LOWTIDE_JOB: ${JSON.stringify(settings.lowtideJob)}`
      : lowtide.description,
  appliesTo: () => true,
  availability: async () => ({ available: true }),
  async run({ engine, database, item, settings, profile }) {
    const spec = benchJob(engine, item, settings.lowtideJob);
    const dynamo = await startLocalDynamo();
    const counter = await startDynamoRequestCounter(dynamo.endpoint);
    const seen = observe();
    const runtime = await createLocalRuntime({
      jobs: [spec],
      databases: { [LOWTIDE_CONNECTION]: database.url },
      dynamo: { endpoint: counter.endpoint },
      msPerSecond: settings.msPerSecond,
      latency: profile,
      onEvent: seen.onEvent,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const started = performance.now();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ContenderFailedError(
                `lowtide did not finish within ${settings.contenderTimeoutSeconds} s (LOWTIDE_BENCH_TIMEOUT_SECONDS)`,
              ),
            ),
          settings.contenderTimeoutSeconds * 1000,
        );
      });
      const chain = await Promise.race([runtime.run({ jobId: spec.id }), timeout]);
      const wallMs = performance.now() - started;
      if (chain.status !== 'SUCCEEDED' || chain.exit !== 'Completed')
        throw new ContenderFailedError(failure(chain));
      const rows = Number(chain.output?.rowsDone ?? Number.NaN);
      const details = lowtideDetails(
        {
          wallMs,
          rows,
          exit: chain.exit,
          executions: chain.executions.length,
          batches: seen.batches,
          taskMs: seen.taskMs,
          healthWaits: seen.healthWaits(),
          retries: seen.retries(),
          dynamoRequests: counter.counts(),
          batchConfig: spec.batch,
          pauseBetweenBatchesMs: spec.health.pauseBetweenBatchesMs,
          waitBetweenBatchesSeconds: pacingSeconds(spec),
        },
        transitionModel(),
      );
      return {
        rows,
        wallMs,
        longestTxMs: details.batchMs.max,
        transactions: details.batches,
        longestTxSource: "the longest batch transaction in the job's batch history (BEGIN to COMMIT)",
        lowtide: details,
      };
    } finally {
      clearTimeout(timer);
      await runtime.close();
      await counter.close();
      await dynamo.stop();
    }
  },
};
