import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalRuntime } from '../../src/runtime/local';
import { benchJob, LOWTIDE_CONNECTION } from '../contenders/lowtide';
import type { ContenderContext } from '../contenders/types';

/** How far into the second ApplyBatch invocation the pause is recorded: inside it, not between two. */
export const PAUSE_INTO_INVOCATION_MS = 100;

export interface PauseLatency {
  /** How the run ended: Paused when the pause took effect before the work was done. */
  readonly exit: string;
  /** From recording the pause to the last batch committed after it (0: none committed after it). */
  readonly lastCommitAfterMs: number;
  /** From recording the pause to the execution's end. */
  readonly stoppedAfterMs: number;
  /** Batches committed after the pause was recorded. */
  readonly batchesAfterRequest: number;
  readonly rowsDone: number;
}

/**
 * How quickly a pause request stops lowtide: a run of its own on a freshly seeded table, a pause
 * recorded in the control store (as `lowtide pause` does) a little into the second ApplyBatch
 * invocation, and the time from the request to the last commit and to the execution's end.
 */
export async function measurePauseLatency(ctx: ContenderContext): Promise<PauseLatency> {
  const { engine, database, item, settings, profile } = ctx;
  const spec = benchJob(engine, item, settings.lowtideJob);
  let requestedAt: number | undefined;
  let lastCommitAt: number | undefined;
  let batchesAfterRequest = 0;
  let applyStarts = 0;
  let request: Promise<unknown> | undefined;
  const runtime = await createLocalRuntime({
    jobs: [spec],
    databases: { [LOWTIDE_CONNECTION]: database.url },
    msPerSecond: settings.msPerSecond,
    latency: profile,
    onEvent: (event) => {
      if (event.type === 'task-started' && event.state === 'ApplyBatch' && ++applyStarts === 2) {
        request = sleep(PAUSE_INTO_INVOCATION_MS).then(async () => {
          await runtime.store.requestPause(spec.id, {
            reason: 'operator',
            by: 'lowtide-bench',
            message: 'pause latency measurement',
          });
          requestedAt = performance.now();
        });
      }
      if (event.type === 'batch-applied' && requestedAt !== undefined) {
        batchesAfterRequest++;
        lastCommitAt = performance.now();
      }
    },
  });
  try {
    const chain = await runtime.run({ jobId: spec.id });
    const endedAt = performance.now();
    await request;
    // A small run can end before the request lands: then nothing was left to stop, so measure from the end.
    const from = requestedAt !== undefined && requestedAt < endedAt ? requestedAt : endedAt;
    return {
      exit: chain.exit ?? chain.status,
      lastCommitAfterMs: lastCommitAt === undefined ? 0 : lastCommitAt - from,
      stoppedAfterMs: endedAt - from,
      batchesAfterRequest,
      rowsDone: Number(chain.output?.rowsDone ?? 0),
    };
  } finally {
    await runtime.close();
  }
}
