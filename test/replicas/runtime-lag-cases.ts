import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlarmBoard } from '../../src/health';
import type { JobSpec } from '../../src/job/types';
import { createLocalRuntime, type LocalRuntime, type RuntimeEvent } from '../../src/runtime/local';
import { appliedCounts, backfillJob, ledgerRows } from '../e2e/support/accounts';
import { CONNECTION } from '../e2e/support/harness';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { type ReplicaControl, type ReplicaPair, waitUntil } from '../support/replicas';

/** Lag above this pauses the e2e jobs; the rig's replicas are sub-second behind when healthy. */
const MAX_LAG_SECONDS = 1;
/** A delayed replica's lag, well above the limit even in MariaDB's whole seconds. */
const APPLY_DELAY_SECONDS = 3;

export interface RuntimeLagSuite<C extends ReplicaControl> {
  readonly title: string;
  readonly engine: 'postgres' | 'mysql';
  start(): Promise<ReplicaPair<C>>;
  /** Words the gate's reason must use when the replica stopped applying. */
  readonly applyStoppedDetail: RegExp;
  /** The same when it stopped receiving. */
  readonly ioStoppedDetail: RegExp;
}

type Disruption = 'stop-apply' | 'stop-io' | 'kill';
const JOBS = ['normal', 'stop-apply', 'stop-io', 'kill', 'delayed'] as const;
type JobName = (typeof JOBS)[number];

const healthWaits = (events: readonly RuntimeEvent[], jobId: string) =>
  events.filter(
    (e): e is Extract<RuntimeEvent, { type: 'health' }> =>
      e.type === 'health' && e.jobId === jobId && e.decision === 'wait',
  );
/** Batches that followed a health-gate wait: the job resumed after being held back. */
function batchesAfterWaits(events: readonly RuntimeEvent[]): number {
  let held = false;
  let resumed = 0;
  for (const e of events) {
    if (e.type === 'health') held = held || e.decision === 'wait';
    if (e.type === 'batch-applied' && held) {
      resumed++;
      held = false;
    }
  }
  return resumed;
}

const batchesApplied = (events: readonly RuntimeEvent[], jobId: string) =>
  events.filter((e) => e.type === 'batch-applied' && e.jobId === jobId).length;

/**
 * End to end through the local runtime (the deployed state machine, in process) against a real
 * replica configured as the job's connection replica: the job pauses as the replica falls behind or
 * breaks, says which replica and why, and resumes and completes, each row exactly once.
 */
export function describeRuntimeReplicaLag<C extends ReplicaControl>(suite: RuntimeLagSuite<C>): void {
  describe(suite.title, () => {
    let pair: ReplicaPair<C>;
    let raw: RawConnection;
    let runtime: LocalRuntime;
    const table = (job: JobName) => `accounts_${job.replace('-', '_')}`;
    const jobs = Object.fromEntries(
      JOBS.map((job) => [
        job,
        backfillJob(suite.engine, {
          id: `replica-${job}`,
          table: table(job),
          batch: { size: 50, min: 50, max: 50, targetMs: 200 },
          // The delayed job paces its batches (1 s of ASL wait, 50 ms here) so it writes for a while.
          health: {
            maxReplicaLagSeconds: MAX_LAG_SECONDS,
            pauseBetweenBatchesMs: job === 'delayed' ? 1000 : 0,
          },
        }),
      ]),
    ) as Record<JobName, JobSpec>;

    beforeAll(async () => {
      pair = await suite.start();
      raw = await connectRaw({ engine: suite.engine, url: pair.primaryUrl });
      runtime = await createLocalRuntime({
        jobs: Object.values(jobs),
        databases: {
          [CONNECTION]: {
            url: pair.primaryUrl,
            replicas: [{ name: pair.replicaName, url: pair.replicaUrl }],
          },
        },
        alarms: createAlarmBoard(),
        // A one-second back-off waits 50 ms: the gate asks the replica often, the test stays short.
        msPerSecond: 50,
        settings: { backoffSeconds: 1, maxBackoffSeconds: 2 },
      });
    });

    afterAll(async () => {
      await runtime?.close();
      await raw?.close();
      await pair?.stop();
    });

    /** The job's table on the primary, replicated before the job starts so preflight sees a caught-up replica. */
    async function prepare(job: JobName, rows: number) {
      await createAccounts(raw, suite.engine, rows, table(job));
      await pair.syncReplica();
    }

    async function expectEachRowOnce(job: JobName, rows: number) {
      const targets = backfillTargets(rows);
      const counts = await appliedCounts(raw, table(job));
      expect(counts.byCount).toEqual({ 0: rows - targets, 1: targets });
      expect(counts.legacyTouched).toBe(0);
    }

    it('runs a backfill with a healthy replica without a single pause, reporting the measured lag', async () => {
      const rows = 1_000;
      const spec = jobs.normal;
      await prepare('normal', rows);
      const events: RuntimeEvent[] = [];
      const off = runtime.onEvent((e) => events.push(e));
      const result = await runtime.run({ jobId: spec.id });
      off();
      expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
      await expectEachRowOnce('normal', rows);
      // No false pause: the replica kept up the whole run.
      expect(healthWaits(events, spec.id).map((e) => e.reasons)).toEqual([]);
      // The lag the gate measured before each batch, as a metric.
      const batches = batchesApplied(events, spec.id);
      const lags = runtime.metrics.values(spec.id, 'ReplicaLag');
      expect(lags.length).toBeGreaterThanOrEqual(batches);
      expect(Math.min(...lags)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...lags)).toBeLessThan(MAX_LAG_SECONDS);
      expect(await runtime.store.listBatches(spec.id, 100)).toHaveLength(batches);
    });

    const disruptions: ReadonlyArray<{
      job: Disruption;
      what: string;
      disrupt: (c: C) => Promise<void>;
      restore: (c: C) => Promise<void>;
      reason: () => RegExp;
    }> = [
      {
        job: 'stop-apply',
        what: 'the replica stops applying',
        disrupt: (c) => c.stopApply(),
        restore: (c) => c.startApply(),
        reason: () => suite.applyStoppedDetail,
      },
      {
        job: 'stop-io',
        what: 'the replica stops receiving',
        disrupt: (c) => c.stopIoThread(),
        restore: (c) => c.startIoThread(),
        reason: () => suite.ioStoppedDetail,
      },
      {
        job: 'kill',
        what: 'the replica process is killed',
        disrupt: (c) => c.killReplica(),
        restore: (c) => c.restartReplica(),
        reason: () => /connect|could not be read/i,
      },
    ];

    for (const d of disruptions) {
      it(`pauses within one batch when ${d.what}, names the replica and why, and completes once it is back`, async () => {
        const rows = 1_000;
        const spec = jobs[d.job];
        await prepare(d.job, rows);
        const events: RuntimeEvent[] = [];
        let disrupted: Promise<number> | undefined;
        const off = runtime.onEvent((e) => {
          events.push(e);
          if (e.type === 'batch-applied' && e.jobId === spec.id && e.batch.batchNo === 3 && !disrupted) {
            // Batches applied once the disruption is in place; at most the one already past the gate may follow.
            disrupted = d.disrupt(pair.control).then(() => batchesApplied(events, spec.id));
          }
        });
        try {
          const execution = runtime.start({ jobId: spec.id });
          await waitUntil(
            `${spec.id}: three health-gate waits`,
            async () => (healthWaits(events, spec.id).length >= 3 ? true : undefined),
            { timeoutMs: 30_000, intervalMs: 20 },
          );
          const appliedAtDisruption = await disrupted!;
          const applied = batchesApplied(events, spec.id);
          expect(applied).toBeLessThanOrEqual(appliedAtDisruption + 1);
          expect(applied).toBeLessThan(backfillTargets(rows) / 50);
          expect(await ledgerRows(raw, spec.id)).toHaveLength(applied);

          const reasons = healthWaits(events, spec.id).at(-1)!.reasons.join(' | ');
          expect(reasons).toMatch(/^replica-lag: /);
          expect(reasons).toContain(pair.replicaName);
          expect(reasons).toMatch(d.reason());
          const job = await runtime.store.getJob(spec.id);
          expect(job?.status).toBe('paused');
          expect(job?.statusReason).toContain(pair.replicaName);

          await d.restore(pair.control);
          const result = await execution.result;
          expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
          expect((await runtime.store.getJob(spec.id))?.status).toBe('completed');
          await expectEachRowOnce(d.job, rows);
        } finally {
          off();
          // Leave the pair whole for the next case even when this one failed half-way.
          await d.restore(pair.control).catch(() => {});
          await pair.syncReplica().catch(() => {});
        }
      });
    }

    it('holds the job while a delayed replica is behind the limit, and lets it go once it has caught up', async () => {
      // Enough paced batches that the job is still writing when the replica falls a second behind.
      const rows = 6_000;
      const spec = jobs.delayed;
      await prepare('delayed', rows);
      await pair.control.setApplyDelay(APPLY_DELAY_SECONDS);
      const events: RuntimeEvent[] = [];
      const off = runtime.onEvent((e) => {
        if ('jobId' in e && e.jobId === spec.id) events.push(e);
      });
      let delayed = true;
      try {
        const execution = runtime.start({ jobId: spec.id });
        // Held back by lag, then a batch again once the replica has applied everything it had.
        await waitUntil(
          `${spec.id}: a batch applied after lag waits`,
          async () => (batchesAfterWaits(events) >= 1 ? true : undefined),
          { timeoutMs: 40_000, intervalMs: 20 },
        );
        const waits = healthWaits(events, spec.id);
        for (const w of waits) {
          // Lag over the limit, with the replica named and replicating: not a broken replica.
          expect(w.reasons.join(' ')).toMatch(
            new RegExp(
              `^replica-lag: replica ${pair.replicaName} is [0-9.]+s behind \\(limit ${MAX_LAG_SECONDS}s\\)`,
            ),
          );
        }
        expect(Math.max(...runtime.metrics.values(spec.id, 'ReplicaLag'))).toBeGreaterThan(MAX_LAG_SECONDS);

        await pair.control.setApplyDelay(0);
        delayed = false;
        expect(await execution.result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
        await expectEachRowOnce('delayed', rows);
      } finally {
        off();
        if (delayed) await pair.control.setApplyDelay(0);
      }
    });
  });
}
