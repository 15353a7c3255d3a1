import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../lowtide.config';
import { DynamoControlStore } from '../../src/control/dynamo-store';
import { type LocalDynamo, startLocalDynamo } from '../../src/control/local-dynamodb';
import { createControlTable } from '../../src/control/table';

const TABLE = 'lowtide-lambda-test';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:lowtide-maintenance-job:manual-1';

/**
 * The Lambda entry points as deployed, with the production wiring (DynamoDB from the environment,
 * jobs from lowtide.config.ts), pointed at a local DynamoDB through the SDK's endpoint variable.
 * These two touch no database, so they run here without one.
 */
describe('Lambda entry points for the EventBridge targets', () => {
  let dynamo: LocalDynamo;
  let store: DynamoControlStore;
  const saved = { ...process.env };

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await createControlTable(dynamo.client, TABLE);
    store = new DynamoControlStore({ client: dynamo.documentClient, tableName: TABLE });
    Object.assign(process.env, {
      LOWTIDE_CONTROL_TABLE: TABLE,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
  });

  afterAll(async () => {
    process.env = saved;
    await dynamo?.stop();
  });

  it("on-alarm pauses the jobs an alarm gates (the job's own and its connection's replica-lag alarm) and resumes them on OK", async () => {
    const { handler } = await import('../../functions/on-alarm');
    const job = config.jobs.find((e) => e.job.health.alarms.length > 0)!.job;
    await store.ensureJob(job.id);
    const event = (alarmName: string, value: string) => ({
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`],
      detail: { alarmName, state: { value, reason: 'Threshold Crossed' } },
    });
    const own = job.health.alarms[0]!;
    const lag = `${config.name}-${job.database}-replica-lag`;
    expect(await handler(event(own, 'ALARM'))).toMatchObject({ jobs: [{ jobId: job.id, action: 'paused' }] });
    expect(await handler(event(lag, 'ALARM'))).toMatchObject({ jobs: [{ jobId: job.id, action: 'paused' }] });
    expect((await store.getJob(job.id))?.pauseRequests.map((r) => r.reason).sort()).toEqual(
      [`alarm:${lag}`, `alarm:${own}`].sort(),
    );
    expect((await store.getJob(job.id))?.status).toBe('paused');

    await handler(event(own, 'OK'));
    await handler(event(lag, 'OK'));
    expect((await store.getJob(job.id))?.pauseRequests).toEqual([]);
    expect(await handler(event('unrelated-alarm', 'ALARM'))).toMatchObject({ jobs: [] });
  });

  it('on-execution-end releases the lease of an execution stopped in the console and records the run', async () => {
    const { handler } = await import('../../functions/on-execution-end');
    const job = config.jobs[1]!.job;
    await store.ensureJob(job.id);
    await store.acquireLease(job.id, EXECUTION, 60_000);
    await store.setStatus(job.id, 'running');
    await store.startRun(job.id, EXECUTION);
    const stopped = {
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      detail: { executionArn: EXECUTION, status: 'ABORTED', input: JSON.stringify({ jobId: job.id }) },
    };
    expect(await handler(stopped)).toMatchObject({ jobId: job.id, released: true });
    const state = await store.getJob(job.id);
    expect(state?.lease).toBeUndefined();
    expect(state?.status).toBe('paused');
    expect((await store.listRuns(job.id))[0]).toMatchObject({ executionId: EXECUTION, outcome: 'aborted' });
    // A second delivery of the same event changes nothing.
    expect(await handler(stopped)).toMatchObject({ released: false });
  });

  it('refuses an event of the wrong shape with an error Step Functions and EventBridge can show', async () => {
    const { handler } = await import('../../functions/on-alarm');
    await expect(handler({ 'detail-type': 'Something Else' })).rejects.toMatchObject({
      name: 'InvalidPayload',
    });
  });
});
