import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_TABLE } from '../../src/db/heartbeat';
import { createAlarmBoard } from '../../src/health';
import { RESUME_LAG_RATIO } from '../../src/health/signals/replica-lag';
import type { JobSpec } from '../../src/job/types';
import { createLocalRuntime, type LocalRuntime, type RuntimeEvent } from '../../src/runtime/local';
import { appliedCounts, backfillJob, ledgerRows } from '../e2e/support/accounts';
import { CONNECTION } from '../e2e/support/harness';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';
import { type ReplicaControl, type ReplicaPair, waitUntil } from '../support/replicas';

/** Lag above this pauses the e2e jobs; the rig's replicas are sub-second behind when healthy. */
const MAX_LAG_SECONDS = 1;
/**
 * The delayed job's limit: once held, it resumes only below half of it (2 s). Its gate waits at
 * most 2 s for a heartbeat, so a replica 3 s behind reads as "at least 2 s": inside the band where
 * a gate without hysteresis would let the job go.
 */
const DELAYED_LIMIT_SECONDS = 4;
const RESUME_BELOW_SECONDS = DELAYED_LIMIT_SECONDS * RESUME_LAG_RATIO;
/** Apply delays (whole seconds, as the rig takes them): over the limit, then inside the band. */
const OVER_LIMIT_DELAY_SECONDS = 6;
const IN_BAND_DELAY_SECONDS = 3;

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
const batchesApplied = (events: readonly RuntimeEvent[], jobId: string) =>
  events.filter((e) => e.type === 'batch-applied' && e.jobId === jobId).length;

/** The lag a held gate's reason states, e.g. `replica x is 3.1s behind (limit 4s; ...)`. */
function statedLag(event: Extract<RuntimeEvent, { type: 'health' }>): number | undefined {
  const match = /is ([0-9.]+)s behind/.exec(event.reasons.join(' '));
  return match ? Number(match[1]) : undefined;
}

/** Whether lowtide's heartbeat table exists on the primary (only a real run's gate creates it). */
async function heartbeatInstalled(raw: RawConnection, engine: 'postgres' | 'mysql'): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1',
          [HEARTBEAT_TABLE.name],
        )
      : await raw.query<{ n: string }>(
          'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
          [HEARTBEAT_TABLE.name],
        );
  return Number(rows[0]?.n) > 0;
}

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
          // One transaction per apply step: these cases are the health gate's between steps (an
          // apply step also reads replica lag between its transactions, at most once a second).
          batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
          // The delayed job paces its batches (1 s of ASL wait, 50 ms here) so it writes for a while.
          health: {
            maxReplicaLagSeconds: job === 'delayed' ? DELAYED_LIMIT_SECONDS : MAX_LAG_SECONDS,
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
      // A dry run reads the replica but writes nothing: not even lowtide's heartbeat table.
      const dry = await runtime.run({ jobId: spec.id, dryRun: true });
      expect(dry).toMatchObject({ status: 'SUCCEEDED', exit: 'DryRunDone' });
      expect(await heartbeatInstalled(raw, suite.engine)).toBe(false);
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
      // ...and in the job's history, batch by batch: the lag the gate measured right before it.
      const history = await runtime.store.listBatches(spec.id, 100);
      expect(history).toHaveLength(batches);
      for (const record of history) {
        expect(record.replicaLagSeconds, `batch ${record.batchNo}`).toBeGreaterThanOrEqual(0);
        expect(record.replicaLagSeconds!).toBeLessThan(MAX_LAG_SECONDS);
      }
      // The gate measured it with lowtide's heartbeat, which the real run installed.
      expect(await heartbeatInstalled(raw, suite.engine)).toBe(true);
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

    it('holds a job while a delayed replica is behind, and lets it go only well below the limit (hysteresis)', async () => {
      // Enough paced batches that the job is still writing when the replica falls behind.
      const rows = 3_000;
      const spec = jobs.delayed;
      await prepare('delayed', rows);
      await pair.control.setApplyDelay(OVER_LIMIT_DELAY_SECONDS);
      const events: RuntimeEvent[] = [];
      const off = runtime.onEvent((e) => {
        if ('jobId' in e && e.jobId === spec.id) events.push(e);
      });
      let delayed = true;
      try {
        const execution = runtime.start({ jobId: spec.id });
        await waitUntil(
          `${spec.id}: held back by lag over ${DELAYED_LIMIT_SECONDS}s`,
          async () => (healthWaits(events, spec.id).length >= 1 ? true : undefined),
          { timeoutMs: 30_000, intervalMs: 20 },
        );
        const first = healthWaits(events, spec.id)[0]!;
        expect(first.reasons.join(' ')).toMatch(
          new RegExp(
            `^replica-lag: replica ${pair.replicaName} is [0-9.]+s behind \\(limit ${DELAYED_LIMIT_SECONDS}s\\)`,
          ),
        );
        expect(statedLag(first)!).toBeGreaterThan(DELAYED_LIMIT_SECONDS);
        const appliedWhenHeld = batchesApplied(events, spec.id);

        // The replica catches up to a few seconds behind: under the limit, over the resume level.
        await pair.control.setApplyDelay(IN_BAND_DELAY_SECONDS);
        const inBand = await waitUntil(
          `${spec.id}: a gate holding the job with lag inside the hysteresis band`,
          async () =>
            healthWaits(events, spec.id).find((w) => {
              const lag = statedLag(w);
              return lag !== undefined && lag >= RESUME_BELOW_SECONDS && lag <= DELAYED_LIMIT_SECONDS;
            }),
          { timeoutMs: 30_000, intervalMs: 20 },
        );
        // A gate without hysteresis would have let this lag through; this one says what it waits for.
        expect(inBand.reasons.join(' ')).toMatch(
          new RegExp(
            `^replica-lag: replica ${pair.replicaName} is [0-9.]+s behind \\(limit ${DELAYED_LIMIT_SECONDS}s; held until below ${RESUME_BELOW_SECONDS}s\\)`,
          ),
        );
        expect(batchesApplied(events, spec.id)).toBe(appliedWhenHeld);
        expect((await runtime.store.getJob(spec.id))?.status).toBe('paused');

        await pair.control.setApplyDelay(0);
        delayed = false;
        expect(await execution.result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
        await expectEachRowOnce('delayed', rows);
        // The first batch after the hold went only once the gate measured lag below the resume level.
        const resumed = (await runtime.store.listBatches(spec.id, 200)).find(
          (b) => b.batchNo === appliedWhenHeld + 1,
        );
        expect(resumed?.replicaLagSeconds).toBeDefined();
        expect(resumed!.replicaLagSeconds!).toBeLessThan(RESUME_BELOW_SECONDS);
        expect(Math.max(...runtime.metrics.values(spec.id, 'ReplicaLag'))).toBeGreaterThan(
          DELAYED_LIMIT_SECONDS,
        );
      } finally {
        off();
        if (delayed) await pair.control.setApplyDelay(0);
      }
    });
  });
}
