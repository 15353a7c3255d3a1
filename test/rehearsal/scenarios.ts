import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { type ProvisionedDatabase, provisionDatabase } from '../../rehearsal/databases/provision';
import { Rehearsal } from '../../rehearsal/rehearsal';
import type { ExecutionRecord } from '../../rehearsal/states/state-machines';
import {
  INSTANCE_OF,
  JOB_OF,
  RECIPE_OF,
  REHEARSAL_ALARM,
  REHEARSAL_FLAG,
  REHEARSAL_FLAG_PROFILE,
  type RehearsalEngine,
} from '../../rehearsal/template/stage';
import { synthesize } from '../../rehearsal/template/synth';
import { DynamoControlStore } from '../../src/control/dynamo-store';
import { connectLocalDynamo } from '../../src/control/local-dynamodb';
import { tableChecksum } from '../support/checksum';
import type { RawConnection } from '../support/raw-sql';
import {
  backfillTargets,
  createCountedAccounts,
  firstTarget,
  legacyWritten,
  recipeApplied,
  remainingRows,
  resetDatabase,
  undoWritesOf,
  writesHistogram,
} from './scenarios-support';

const ROWS = 200;
const TARGETS = backfillTargets(ROWS);
// Cold starts of ten functions and a few executions on a busy two-core machine: minutes, not seconds.
const SCENARIO_MS = 240_000;
const FREE_STORAGE = 100 * 1024 ** 3;
const flagDocument = (enabled: boolean) => ({ [REHEARSAL_FLAG.flag]: { enabled } });

interface Context {
  rehearsal: Rehearsal;
  db: ProvisionedDatabase;
  raw: RawConnection;
  store: DynamoControlStore;
  jobId: string;
}

/**
 * Deploys the synthesized app for one engine (the synth is shared with the other engine's file)
 * and gives every scenario a fresh table and a fresh control table, with the functions kept warm.
 */
function useRehearsal(engine: RehearsalEngine): Context {
  const ctx = {} as Context;
  // The functions' last lines, shown when a scenario fails.
  const logs: string[] = [];
  let dynamo: ReturnType<typeof connectLocalDynamo> | undefined;
  beforeAll(async () => {
    const provided = inject('rehearsal');
    if ('error' in provided) throw new Error(`the rehearsal stage could not start: ${provided.error}`);
    const { stage, certificatePem } = provided;
    const { cdkOut } = await synthesize(stage);
    ctx.db = await provisionDatabase(engine, inject('databases')[engine], stage);
    ctx.raw = await createCountedAccounts(ctx.db, ROWS);
    ctx.rehearsal = await Rehearsal.deploy({
      cdkOut,
      region: stage.region,
      accountId: stage.accountId,
      secrets: { [stage.databases[engine].secretArn]: ctx.db.secretString },
      alarms: [REHEARSAL_ALARM],
      flags: { [REHEARSAL_FLAG_PROFILE]: flagDocument(true) },
      freeStorage: { [INSTANCE_OF[engine]]: FREE_STORAGE },
      trustedCertificatePem: certificatePem,
      log: (line) => {
        logs.push(line);
        if (logs.length > 400) logs.shift();
      },
    });
    ctx.jobId = JOB_OF[engine];
    dynamo = connectLocalDynamo(ctx.rehearsal.aws.dynamoEndpoint);
    ctx.store = new DynamoControlStore({
      client: dynamo.documentClient,
      tableName: ctx.rehearsal.deployment.tables[0]!.TableName,
    });
  }, 300_000);

  beforeEach(async () => {
    onTestFailed(() => {
      const executions = ctx.rehearsal?.stateMachines
        .list()
        .map(
          (e) =>
            `${e.name} ${e.status} ${e.states.join(' > ')} ${e.error ?? ''} ${e.cause?.slice(0, 300) ?? ''}`,
        );
      console.error(`executions:\n${executions?.join('\n')}\nfunction logs:\n${logs.slice(-80).join('\n')}`);
    });
    logs.length = 0;
    if (!ctx.rehearsal) return;
    // A scenario that failed half-way may have left its alarm in ALARM or its executions running.
    await ctx.rehearsal.setAlarm(REHEARSAL_ALARM, 'OK');
    ctx.rehearsal.deployFlags(REHEARSAL_FLAG_PROFILE, flagDocument(true));
    ctx.rehearsal.setFreeStorage(INSTANCE_OF[engine], FREE_STORAGE);
    await ctx.rehearsal.stateMachines.stopAll();
    await ctx.rehearsal.bus.settled();
    await resetDatabase(ctx.raw, engine);
    await ctx.raw.close();
    ctx.raw = await createCountedAccounts(ctx.db, ROWS);
    const tableName = ctx.rehearsal.deployment.tables[0]!.TableName;
    const items = await dynamo!.documentClient.send(new ScanCommand({ TableName: tableName }));
    for (const item of items.Items ?? []) {
      await dynamo!.documentClient.send(
        new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
  });

  afterAll(async () => {
    await ctx.rehearsal?.close();
    dynamo?.documentClient.destroy();
    dynamo?.client.destroy();
    await ctx.raw?.close();
    await ctx.db?.drop();
  });
  return ctx;
}

/** Every scenario on one engine, through the synthesized artifacts only. */
export function rehearsalScenarios(engine: RehearsalEngine): void {
  describe(`the synthesized app on ${engine}`, () => {
    const ctx = useRehearsal(engine);

    /** ApplyBatch invocations that applied a batch, from invocation `since` on. */
    const appliedSince = (since: number) =>
      ctx.rehearsal.invocations
        .slice(since)
        .filter(
          (i) =>
            i.functionLogicalId.includes('ApplyBatch') &&
            i.outcome.ok &&
            (i.outcome.result as { decision?: string }).decision === 'applied',
        ).length;
    /** The next batch applied; fails at once if the execution ends first. */
    const applied = (started: Promise<ExecutionRecord>) =>
      Promise.race([
        ctx.rehearsal.nextInvocation('ApplyBatch', (r) => r.decision === 'applied'),
        started.then(async (execution) => {
          const ended = await ctx.rehearsal.ended(execution.executionArn);
          throw new Error(
            `${ended.name} ended ${ended.status} in ${ended.lastState} before a batch: ${ended.cause}`,
          );
        }),
      ]);

    async function expectEveryRowOnce() {
      expect(await writesHistogram(ctx.raw)).toEqual({ 1: TARGETS });
      expect(await remainingRows(ctx.raw)).toBe(0);
      expect(await legacyWritten(ctx.raw)).toBe(0);
    }

    it(
      'a scheduled start runs batches to completion, hands over by continue-as-new and notifies SNS of completion',
      async () => {
        const started = await ctx.rehearsal.fireSchedule(ctx.jobId);
        const input = JSON.parse(started.input);
        expect(input).toMatchObject({ jobId: ctx.jobId, window: { durationMinutes: 120 } });
        expect(input.window.scheduledAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);

        const chain = await ctx.rehearsal.runEnded(started.executionArn);
        expect(chain.map((e) => e.status)).toEqual(chain.map(() => 'SUCCEEDED'));
        expect(chain.at(-1)?.lastState).toBe('Completed');
        await expectEveryRowOnce();
        expect((await ctx.store.getJob(ctx.jobId))?.status).toBe('completed');

        // continueAsNewAfter (4 gate visits, LOWTIDE_CONTINUE_AS_NEW_AFTER in every function) hands over.
        expect(ctx.rehearsal.host('ApplyBatch').definition.environment.LOWTIDE_CONTINUE_AS_NEW_AFTER).toBe(
          '4',
        );
        expect(chain.length).toBeGreaterThanOrEqual(2);
        expect(chain[0]?.lastState).toBe('Continued');
        const successor = chain[1]!;
        expect(successor.name).toMatch(new RegExp(`^${ctx.jobId}-[a-z0-9]+-g1$`));
        expect(JSON.parse(successor.input)).toMatchObject({
          jobId: ctx.jobId,
          generation: 1,
          AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: started.executionArn,
        });

        // One notification for the run: the completed execution's, with the documented fields.
        expect(ctx.rehearsal.topicDeliveries).toHaveLength(1);
        const message = JSON.parse(ctx.rehearsal.topicDeliveries[0]!.message);
        const last = chain.at(-1)!;
        expect(message).toEqual({
          summary: `lowtide run ${last.name} ended SUCCEEDED`,
          status: 'SUCCEEDED',
          execution: last.executionArn,
          input: last.input,
          output: last.output,
          region: ctx.rehearsal.deployment.env.region,
        });
        expect(JSON.parse(message.output)).toMatchObject({ decision: 'completed', rowsDone: TARGETS });
        expect(ctx.rehearsal.aws.denied).toEqual([]);
        expect(ctx.rehearsal.aws.unsupported).toEqual([]);
      },
      SCENARIO_MS,
    );

    it(
      'a dry-run start checks and plans, and changes nothing',
      async () => {
        const started = await ctx.rehearsal.start({ jobId: ctx.jobId, dryRun: true });
        const ended = await ctx.rehearsal.ended(started.executionArn);
        expect(ended).toMatchObject({ status: 'SUCCEEDED', lastState: 'DryRunDone' });
        expect(await writesHistogram(ctx.raw)).toEqual({});
        expect(await remainingRows(ctx.raw)).toBe(TARGETS);
      },
      SCENARIO_MS,
    );

    it(
      'a duplicate start ends LeaseHeld and touches nothing; the first run completes',
      async () => {
        const firstStarting = ctx.rehearsal.start({ jobId: ctx.jobId });
        await applied(firstStarting);
        const first = await firstStarting;
        const duplicate = await ctx.rehearsal.start({ jobId: ctx.jobId });
        expect(await ctx.rehearsal.ended(duplicate.executionArn)).toMatchObject({
          status: 'SUCCEEDED',
          lastState: 'LeaseHeld',
        });
        const chain = await ctx.rehearsal.runEnded(first.executionArn);
        expect(chain.at(-1)?.lastState).toBe('Completed');
        await expectEveryRowOnce();
      },
      SCENARIO_MS,
    );

    it(
      "an alarm's ALARM event pauses the run within one batch, and OK resumes it",
      async () => {
        const since = ctx.rehearsal.invocations.length;
        const starting = ctx.rehearsal.start({ jobId: ctx.jobId });
        await applied(starting);
        const started = await starting;
        // Resolves once EventBridge delivered the event and on-alarm wrote the pause request.
        await ctx.rehearsal.setAlarm(REHEARSAL_ALARM, 'ALARM');
        const atAlarm = appliedSince(since);
        const gatedWait = () =>
          ctx.rehearsal.nextInvocation(
            'HealthGate',
            (r) => r.decision === 'wait' && JSON.stringify(r.health ?? {}).includes(REHEARSAL_ALARM),
          );
        await gatedWait();
        await gatedWait();
        // The batch in flight when the alarm fired was the last one.
        expect(appliedSince(since)).toBeLessThanOrEqual(atAlarm + 1);
        expect(await remainingRows(ctx.raw)).toBeGreaterThan(0);
        const paused = await ctx.store.getJob(ctx.jobId);
        expect(paused?.pauseRequests.map((r) => r.reason)).toEqual([`alarm:${REHEARSAL_ALARM}`]);

        await ctx.rehearsal.setAlarm(REHEARSAL_ALARM, 'OK');
        const chain = await ctx.rehearsal.runEnded(started.executionArn);
        expect(chain.at(-1)?.lastState).toBe('Completed');
        await expectEveryRowOnce();
      },
      SCENARIO_MS,
    );

    it(
      "the deployment's AppConfig flag: off blocks the start; flipped off mid-run holds after the batch; on again, the run completes",
      async () => {
        const flag = `flag:${REHEARSAL_FLAG.flag}`;
        ctx.rehearsal.deployFlags(REHEARSAL_FLAG_PROFILE, flagDocument(false));
        const blocked = await ctx.rehearsal.start({ jobId: ctx.jobId });
        const refused = await ctx.rehearsal.ended(blocked.executionArn);
        expect(refused).toMatchObject({ status: 'SUCCEEDED', lastState: 'Blocked' });
        expect(JSON.parse(refused.output ?? '{}').blocked.reasons).toContainEqual(
          `feature-flag: ${flag}: feature flag ${REHEARSAL_FLAG.flag} is off: turn it on to let the job run`,
        );
        expect(await writesHistogram(ctx.raw)).toEqual({});

        ctx.rehearsal.deployFlags(REHEARSAL_FLAG_PROFILE, flagDocument(true));
        const since = ctx.rehearsal.invocations.length;
        const starting = ctx.rehearsal.start({ jobId: ctx.jobId });
        await applied(starting);
        const started = await starting;
        ctx.rehearsal.deployFlags(REHEARSAL_FLAG_PROFILE, flagDocument(false));
        const atFlip = appliedSince(since);
        const heldByFlag = () =>
          ctx.rehearsal.nextInvocation(
            'HealthGate',
            (r) => r.decision === 'wait' && JSON.stringify(r.health ?? {}).includes(flag),
          );
        await heldByFlag();
        await heldByFlag();
        expect(appliedSince(since)).toBeLessThanOrEqual(atFlip + 1);
        expect(await remainingRows(ctx.raw)).toBeGreaterThan(0);
        expect((await ctx.store.getJob(ctx.jobId))?.status).toBe('paused');

        ctx.rehearsal.deployFlags(REHEARSAL_FLAG_PROFILE, flagDocument(true));
        const chain = await ctx.rehearsal.runEnded(started.executionArn);
        expect(chain.at(-1)?.lastState).toBe('Completed');
        await expectEveryRowOnce();
        // Both functions that read the flag did, through the data API, within their IAM policies.
        const flagCalls = ctx.rehearsal.aws.calls.filter((c) => c.action.startsWith('appconfig:'));
        expect(new Set(flagCalls.map((c) => c.action))).toEqual(
          new Set(['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration']),
        );
        expect(new Set(flagCalls.map((c) => c.role.replace(/Role.*$/, '')))).toEqual(
          new Set(['LowtideFunctionsPreflightFunction', 'LowtideFunctionsHealthGateFunction']),
        );
        expect(flagCalls.every((c) => c.allowed)).toBe(true);
        expect(ctx.rehearsal.aws.denied).toEqual([]);
        expect(ctx.rehearsal.aws.unsupported).toEqual([]);
      },
      SCENARIO_MS,
    );

    it(
      "preflight blocks a run whose estimated writes exceed half the instance's FreeStorageSpace, writing nothing",
      async () => {
        ctx.rehearsal.setFreeStorage(INSTANCE_OF[engine], 1000);
        const started = await ctx.rehearsal.start({ jobId: ctx.jobId });
        const ended = await ctx.rehearsal.ended(started.executionArn);
        expect(ended).toMatchObject({ status: 'SUCCEEDED', lastState: 'Blocked' });
        const reasons: string[] = JSON.parse(ended.output ?? '{}').blocked.reasons;
        expect(reasons.join('\n')).toMatch(
          new RegExp(
            `write-volume: estimated .* written \\(.*\\), above 0\\.5 of the 1000 B free \\(FreeStorageSpace of RDS instance ${INSTANCE_OF[engine]}\\)`,
          ),
        );
        expect(await writesHistogram(ctx.raw)).toEqual({});
        expect(await remainingRows(ctx.raw)).toBe(TARGETS);
        const metricCalls = ctx.rehearsal.aws.calls.filter((c) => c.action === 'cloudwatch:GetMetricData');
        expect(metricCalls.length).toBeGreaterThan(0);
        expect(
          metricCalls.every((c) => c.allowed && c.role.startsWith('LowtideFunctionsPreflightFunction')),
        ).toBe(true);
        expect(ctx.rehearsal.aws.denied).toEqual([]);
      },
      SCENARIO_MS,
    );

    it(
      'a console stop releases the lease at once; the next start resumes from the checkpoint',
      async () => {
        const starting = ctx.rehearsal.start({ jobId: ctx.jobId });
        await applied(starting);
        const started = await starting;
        // Resolves once the ABORTED status-change event reached every rule's targets.
        const stopped = await ctx.rehearsal.stop(started.executionArn);
        expect(stopped.status).toBe('ABORTED');
        const released = await ctx.store.getJob(ctx.jobId);
        expect(released?.lease).toBeUndefined();
        const onEnd = ctx.rehearsal.host('OnExecutionEnd').definition.arn;
        expect(ctx.rehearsal.bus.deliveries.filter((d) => d.targetArn === onEnd).map((d) => d.ok)).toEqual([
          true,
        ]);
        expect(JSON.parse(ctx.rehearsal.topicDeliveries.at(-1)!.message)).toMatchObject({
          status: 'ABORTED',
          execution: started.executionArn,
        });
        expect(released?.checkpoint?.batchNo ?? 0).toBeGreaterThanOrEqual(1);

        const resumed = await ctx.rehearsal.start({ jobId: ctx.jobId });
        const chain = await ctx.rehearsal.runEnded(resumed.executionArn);
        expect(chain.at(-1)?.lastState).toBe('Completed');
        await expectEveryRowOnce();
      },
      SCENARIO_MS,
    );

    it(
      'a rollback execution restores every row the run changed',
      async () => {
        const before = await tableChecksum(ctx.raw, engine, 'accounts');
        const run = await ctx.rehearsal.start({ jobId: ctx.jobId });
        expect((await ctx.rehearsal.runEnded(run.executionArn)).at(-1)?.lastState).toBe('Completed');
        expect(await tableChecksum(ctx.raw, engine, 'accounts')).not.toBe(before);

        const rollback = await ctx.rehearsal.start({ jobId: ctx.jobId, rollback: true });
        const chain = await ctx.rehearsal.runEnded(rollback.executionArn);
        expect(chain.at(-1)?.lastState).toBe('Completed');
        expect(await tableChecksum(ctx.raw, engine, 'accounts')).toBe(before);
        // Each target written twice: once by the run, once by its rollback; nothing else.
        expect(await writesHistogram(ctx.raw)).toEqual({ 2: TARGETS });
      },
      SCENARIO_MS,
    );

    it(
      'a recipe execution started from the console applies its DDL and writes its backfill once',
      async () => {
        const recipeId = RECIPE_OF[engine];
        const started = await ctx.rehearsal.start({ jobId: recipeId, recipe: true });
        const chain = await ctx.rehearsal.runEnded(started.executionArn);
        expect(chain.map((e) => `${e.status} ${e.lastState}`).at(-1)).toBe('SUCCEEDED Completed');
        expect(chain.map((e) => e.status)).toEqual(chain.map(() => 'SUCCEEDED'));
        expect(await recipeApplied(ctx.raw, engine)).toBe(true);
        // PostgreSQL's recipe backfills the new column in every row, each once; MariaDB's index
        // recipe is DDL only and writes no row.
        expect(await writesHistogram(ctx.raw)).toEqual(engine === 'postgres' ? { 1: ROWS } : {});
        expect((await ctx.store.getJob(recipeId))?.status).toBe('completed');
        expect(ctx.rehearsal.aws.denied).toEqual([]);
        expect(ctx.rehearsal.aws.unsupported).toEqual([]);
      },
      SCENARIO_MS,
    );

    it(
      'a run that fails verification ends FAILED, on-execution-end sees it, SNS is told, and the next start gets the lease',
      async () => {
        // A trigger that undoes the job's write to one row: ApplyBatch checks the invariant inside
        // the batch's transaction, rolls the batch back and fails (caught into RecordFailure).
        const sabotaged = await firstTarget(ctx.raw);
        await undoWritesOf(ctx.raw, engine, sabotaged);
        const since = ctx.rehearsal.invocations.length;
        const notifiedBefore = ctx.rehearsal.topicDeliveries.length;
        const started = await ctx.rehearsal.start({ jobId: ctx.jobId });
        const failed = await ctx.rehearsal.ended(started.executionArn);
        expect(failed).toMatchObject({ status: 'FAILED', lastState: 'Failed' });
        expect(`${failed.error} ${failed.cause}`).toMatch(/BatchVerificationError/);
        expect(failed.cause).toContain(
          `invariant (tier IS NOT NULL) does not hold after the update for keys ${sabotaged}`,
        );
        // Nothing half-applied: the failed batch committed no row.
        expect(await writesHistogram(ctx.raw)).toEqual({});

        // The FAILED status-change event reached on-execution-end (the lease was already released
        // by RecordFailure, so it finds nothing left to release).
        const onEnd = ctx.rehearsal.invocations
          .slice(since)
          .filter((i) => i.functionLogicalId.includes('OnExecutionEnd'))
          .map((i) => (i.outcome.ok ? i.outcome.result : i.outcome.errorMessage));
        expect(onEnd).toEqual([{ executionArn: started.executionArn, jobId: ctx.jobId, released: false }]);
        const job = await ctx.store.getJob(ctx.jobId);
        expect(job?.lease).toBeUndefined();
        expect(job?.status).toBe('failed');

        // The notification carries the documented fields; a failed execution has no output.
        const notified = ctx.rehearsal.topicDeliveries
          .slice(notifiedBefore)
          .map((d) => JSON.parse(d.message));
        expect(notified).toEqual([
          {
            summary: `lowtide run ${failed.name} ended FAILED`,
            status: 'FAILED',
            execution: started.executionArn,
            input: failed.input,
            output: null,
            region: ctx.rehearsal.deployment.env.region,
          },
        ]);

        // The operator removes the trigger and sets the row by hand; the next start takes the lease
        // and runs the job to its end.
        await undoWritesOf(ctx.raw, engine, undefined);
        await ctx.raw.query(
          engine === 'postgres'
            ? "UPDATE accounts SET tier = 'standard' WHERE id = $1"
            : "UPDATE accounts SET tier = 'standard' WHERE id = ?",
          [sabotaged],
        );
        const next = await ctx.rehearsal.start({ jobId: ctx.jobId });
        const chain = await ctx.rehearsal.runEnded(next.executionArn);
        expect(chain.at(-1)?.lastState).toBe('Completed');
        // Every target once: the sabotaged row by the operator, every other one by the job.
        await expectEveryRowOnce();
      },
      SCENARIO_MS,
    );
  });
}
