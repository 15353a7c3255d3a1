import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type ProvisionedDatabase, provisionDatabase } from '../../rehearsal/databases/provision';
import { Rehearsal } from '../../rehearsal/rehearsal';
import { JOB_OF, REHEARSAL_ALARM, type RehearsalEngine } from '../../rehearsal/template/stage';
import { synthesize } from '../../rehearsal/template/synth';
import { DynamoControlStore } from '../../src/control/dynamo-store';
import { connectLocalDynamo } from '../../src/control/local-dynamodb';
import type { RawConnection } from '../support/raw-sql';
import {
  backfillTargets,
  createCountedAccounts,
  dropAllTables,
  legacyWritten,
  remainingRows,
  writesHistogram,
} from './scenarios-support';

const ROWS = 200;
const TARGETS = backfillTargets(ROWS);
// Cold starts of ten functions and a few executions on a busy two-core machine: minutes, not seconds.
const SCENARIO_MS = 240_000;

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
      trustedCertificatePem: certificatePem,
    });
    ctx.jobId = JOB_OF[engine];
    dynamo = connectLocalDynamo(ctx.rehearsal.aws.dynamoEndpoint);
    ctx.store = new DynamoControlStore({
      client: dynamo.documentClient,
      tableName: ctx.rehearsal.deployment.tables[0]!.TableName,
    });
  }, 300_000);

  beforeEach(async () => {
    if (!ctx.rehearsal) return;
    await dropAllTables(ctx.raw, engine);
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

    it(
      'a scheduled start runs batches to completion, every row changed exactly once',
      async () => {
        const started = await ctx.rehearsal.fireSchedule(ctx.jobId);
        expect(JSON.parse(started.input)).toMatchObject({
          jobId: ctx.jobId,
          window: { durationMinutes: 120 },
        });
        expect(JSON.parse(started.input).window.scheduledAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

        const chain = await ctx.rehearsal.runEnded(started.executionArn);
        expect(chain.map((e) => e.status)).toEqual(chain.map(() => 'SUCCEEDED'));
        expect(chain.at(-1)?.lastState).toBe('Completed');
        expect(await writesHistogram(ctx.raw)).toEqual({ 1: TARGETS });
        expect(await remainingRows(ctx.raw)).toBe(0);
        expect(await legacyWritten(ctx.raw)).toBe(0);
        expect((await ctx.store.getJob(ctx.jobId))?.status).toBe('completed');
        expect(ctx.rehearsal.aws.denied).toEqual([]);
        expect(ctx.rehearsal.aws.unsupported).toEqual([]);
      },
      SCENARIO_MS,
    );
  });
}
