import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import config from '../../lowtide.config';
import { JOB_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME } from '../../src/config/metrics';
import type { HandlerDeps } from '../../src/runtime/deps';
import { LockTimeoutsExhaustedError } from '../../src/runtime/errors';
import { createControlDeps, type DepsFactory } from '../../src/runtime/lambda/deps';
import { lambdaHandler } from '../../src/runtime/lambda/handler';

const context = {
  functionName: 'lowtide-apply-batch',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:lowtide-apply-batch',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/lowtide-apply-batch',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} satisfies Context;

/** Every JSON line Powertools wrote: its logs (errors on stderr) and the EMF metric records. */
let lines: Record<string, unknown>[];
let built: number;

/** The production control deps, counted: the wrapper should build them once per container. */
const countedDeps: DepsFactory = (cfg, telemetry) => {
  built++;
  return createControlDeps(cfg, telemetry);
};

/** A core that records one batch's metrics for a job and logs, then returns or fails as told. */
function batchCore(fail?: Error) {
  return async (payload: unknown, deps: HandlerDeps) => {
    const { jobId } = payload as { jobId: string };
    deps.metrics.record(jobId, [
      { name: 'RowsApplied', unit: 'Count', value: 40 },
      { name: 'BatchDuration', unit: 'Milliseconds', value: 120 },
    ]);
    deps.logger.info('batch applied', { jobId });
    if (fail) throw fail;
    return { jobId, applied: 40 };
  };
}

const logsOf = (message: string) => lines.filter((l) => l.message === message);
const emfRecords = () => lines.filter((l) => l._aws !== undefined);

beforeEach(() => {
  lines = [];
  built = 0;
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.stubEnv('LOWTIDE_CONTROL_TABLE', 'control');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('lambdaHandler (the Powertools middleware around a handler core)', () => {
  it('logs with the Lambda context and the step, and emits the EMF metrics of the job', async () => {
    const handler = lambdaHandler('apply-batch', batchCore(), config, countedDeps);
    expect(await handler({ jobId: 'backfill-tier' }, context)).toEqual({
      jobId: 'backfill-tier',
      applied: 40,
    });

    expect(logsOf('batch applied')).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: SERVICE_NAME,
        step: 'apply-batch',
        function_name: 'lowtide-apply-batch',
        function_request_id: 'request-1',
        jobId: 'backfill-tier',
      }),
    ]);
    const [emf, ...more] = emfRecords();
    expect(more).toEqual([]);
    expect(emf).toMatchObject({
      service: SERVICE_NAME,
      [JOB_DIMENSION]: 'backfill-tier',
      RowsApplied: 40,
      BatchDuration: 120,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [expect.arrayContaining(['service', JOB_DIMENSION])],
            Metrics: expect.arrayContaining([
              { Name: 'RowsApplied', Unit: 'Count' },
              { Name: 'BatchDuration', Unit: 'Milliseconds' },
            ]),
          },
        ],
      },
    });
    // No cold-start metric (a billed custom metric per function) and no warning when none is recorded.
    const quiet = lambdaHandler('acquire-lease', async () => 'ok', config, countedDeps);
    await quiet({}, { ...context, awsRequestId: 'request-2' });
    expect(emfRecords()).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'WARN')).toEqual([]);
  });

  it('builds its deps once for the container and keeps the context of each invocation', async () => {
    const handler = lambdaHandler('apply-batch', batchCore(), config, countedDeps);
    await handler({ jobId: 'a' }, context);
    await handler({ jobId: 'b' }, { ...context, awsRequestId: 'request-2' });
    expect(built).toBe(1);
    expect(logsOf('batch applied').map((l) => [l.function_request_id, l.jobId, l.step])).toEqual([
      ['request-1', 'a', 'apply-batch'],
      ['request-2', 'b', 'apply-batch'],
    ]);
    expect(emfRecords().map((r) => r[JOB_DIMENSION])).toEqual(['a', 'b']);
  });

  it("rethrows a failure with its name unchanged, logs it with the step, and still flushes the job's metrics", async () => {
    const failure = new LockTimeoutsExhaustedError('lock timeouts on 3 attempts');
    const handler = lambdaHandler('apply-batch', batchCore(failure), config, countedDeps);
    const thrown = await handler({ jobId: 'backfill-tier' }, context).catch((e: unknown) => e);
    expect(thrown).toBe(failure);
    expect(thrown).toMatchObject({ name: 'LockTimeoutsExhausted' });
    expect(logsOf('apply-batch failed')).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        step: 'apply-batch',
        function_request_id: 'request-1',
        errorName: 'LockTimeoutsExhausted',
        errorMessage: 'lock timeouts on 3 attempts',
      }),
    ]);
    expect(emfRecords()).toEqual([
      expect.objectContaining({ [JOB_DIMENSION]: 'backfill-tier', RowsApplied: 40, BatchDuration: 120 }),
    ]);
  });

  it('gives each job its own EMF record when one invocation records for two', async () => {
    const handler = lambdaHandler(
      'health-gate',
      async (_payload, deps) => {
        deps.metrics.record('a', [{ name: 'HealthGateHeld', unit: 'Count', value: 1 }]);
        deps.metrics.record('a', [{ name: 'ReplicaLag', unit: 'Seconds', value: 2 }]);
        deps.metrics.record('b', [{ name: 'HealthGateHeld', unit: 'Count', value: 0 }]);
        return 'ok';
      },
      config,
      countedDeps,
    );
    await handler({}, context);
    expect(emfRecords().map((r) => [r[JOB_DIMENSION], r.HealthGateHeld, r.ReplicaLag])).toEqual([
      ['a', 1, 2],
      ['b', 0, undefined],
    ]);
  });

  it('runs without a Lambda context, as the entry-point tests call it', async () => {
    const handler = lambdaHandler('stop-run', async () => 'stopped', config, countedDeps);
    expect(await handler({})).toBe('stopped');
  });
});
