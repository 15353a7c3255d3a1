import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionModel } from '../../bench/cost/asl-transitions';
import { startDynamoRequestCounter } from '../../bench/measure/dynamo-request-counter';
import { startLocalDynamo } from '../../src/control/local-dynamodb';
import {
  AWS_LATENCY,
  createLocalRuntime,
  type LatencyCause,
  NO_LATENCY,
  resolveLatency,
} from '../../src/runtime/local';
import type { LocalRuntime, RuntimeEvent } from '../../src/runtime/local/types';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob } from './support/accounts';
import { CONNECTION, type E2eDatabase, FAST, openE2eDatabase } from './support/harness';

const ROWS = 3000;
const PROFILE = { lambdaInvokeMs: 7, stateTransitionMs: 3, dynamoRequestMs: 2, databaseRoundTripMs: 1 };

describe('latency profiles', () => {
  it("names 'none' and 'aws', takes one's own values, and refuses a bad one saying what to change", () => {
    expect(resolveLatency(undefined)).toEqual(NO_LATENCY);
    expect(resolveLatency('none')).toEqual(NO_LATENCY);
    expect(resolveLatency('aws')).toEqual(AWS_LATENCY);
    expect(resolveLatency({ dynamoRequestMs: 4 })).toEqual({ ...NO_LATENCY, dynamoRequestMs: 4 });
    expect(() => resolveLatency('azure' as 'aws')).toThrow(/latency must be one of none, aws; got 'azure'/);
    expect(() => resolveLatency({ lambdaInvokeMs: -1 })).toThrow(/latency.lambdaInvokeMs must be a number/);
    expect(() => resolveLatency({ invokeMs: 5 } as never)).toThrow(/unknown field\(s\) invokeMs/);
  });
});

/**
 * The profile's control-plane delays are counted through an injected sleep (which returns at once),
 * never timed; the database delay goes through the real proxy, whose held chunks are counted.
 */
const CASES = ENGINES.flatMap((engine) => [
  { engine, continueAsNewAfter: undefined },
  // Several executions: the hand-over (StopRun, ContinueAsNew, Continued) pays its transitions too.
  { engine, continueAsNewAfter: 3 },
]);

describe.each(CASES)(
  'the local runtime under a latency profile on $engine (continue as new after $continueAsNewAfter batches)',
  ({ engine, continueAsNewAfter }) => {
    // One transaction per apply step: the delays are counted per step against the definition.
    const job = backfillJob(engine, {
      batch: { size: 500, min: 100, max: 500, targetMs: 300, invocationBudgetMs: 0 },
    });
    let db: E2eDatabase;
    let runtime: LocalRuntime;
    let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
    let counter: Awaited<ReturnType<typeof startDynamoRequestCounter>>;
    const sleeps: { ms: number; cause: LatencyCause }[] = [];
    const events: RuntimeEvent[] = [];

    beforeAll(async () => {
      db = await openE2eDatabase(engine);
      await createAccounts(db.raw, engine, ROWS);
      dynamo = await startLocalDynamo();
      counter = await startDynamoRequestCounter(dynamo.endpoint);
      runtime = await createLocalRuntime({
        jobs: [job],
        databases: { [CONNECTION]: db.testDb.url },
        dynamo: { endpoint: counter.endpoint },
        ...FAST,
        ...(continueAsNewAfter ? { continueAsNewAfter } : {}),
        latency: PROFILE,
        latencySleep: async (ms, cause) => {
          sleeps.push({ ms, cause });
        },
        onEvent: (e) => events.push(e),
      });
    });

    afterAll(async () => {
      await runtime?.close();
      await counter?.close();
      await dynamo?.stop();
      await db?.close();
    });

    it('pays each Lambda invocation, state transition, DynamoDB request and database round trip, and the job still completes', async () => {
      const before = counter.counts();
      const result = await runtime.run({ jobId: job.id });
      expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
      const targets = backfillTargets(ROWS);
      expect((await appliedCounts(db.raw)).byCount).toEqual({ 0: ROWS - targets, 1: targets });
      expect(runtime.latency.profile).toEqual(PROFILE);

      const of = (cause: LatencyCause) => sleeps.filter((s) => s.cause === cause);
      expect(new Set(of('lambda-invoke').map((s) => s.ms))).toEqual(new Set([7]));
      expect(new Set(of('state-transition').map((s) => s.ms))).toEqual(new Set([3]));
      expect(new Set(of('dynamo-request').map((s) => s.ms))).toEqual(new Set([2]));

      // One invocation per Lambda-backed Task state started (ContinueAsNew calls Step Functions itself).
      const started = events.filter((e) => e.type === 'task-started' && e.state !== 'ContinueAsNew');
      expect(started.length).toBeGreaterThan(0);
      expect(of('lambda-invoke')).toHaveLength(started.length);
      const executions = result.executions.length;
      expect(executions).toBe(
        continueAsNewAfter ? Math.ceil(Math.ceil(targets / 500) / continueAsNewAfter) : 1,
      );

      // One transition per state entered, counted along the definition's paths for what the run did.
      expect(events.filter((e) => e.type === 'task-failed')).toEqual([]);
      const gates = events.flatMap((e) => (e.type === 'health' ? [e.decision] : []));
      expect(gates.filter((d) => d !== 'proceed')).toEqual(Array(executions - 1).fill('stop'));
      const batches = events.filter((e) => e.type === 'batch-applied').length;
      expect(batches).toBe(Math.ceil(targets / 500));
      const model = transitionModel();
      expect(of('state-transition')).toHaveLength(
        executions * model.start.length +
          batches * model.perBatch.length +
          (executions - 1) * model.handOver.length +
          model.finish.length,
      );

      // One delay per request the control store sent, counted on the way to DynamoDB.
      const after = counter.counts();
      const requests = Object.keys(after).reduce((n, op) => n + after[op]! - (before[op] ?? 0), 0);
      expect(requests).toBeGreaterThan(batches);
      expect(of('dynamo-request')).toHaveLength(requests);

      // Every batch is several round trips (BEGIN, the change, the ledger row, COMMIT) through the proxy.
      expect(runtime.latency.delayedDatabaseChunks()).toBeGreaterThanOrEqual(batches * 3);
    });
  },
);
