import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FunctionDefinition,
  FunctionHost,
  type InvokeOutcome,
  type LambdaAwsSettings,
} from '../../rehearsal/lambda/function-host';
import { bundleFixture, type FixtureAsset, sourceFixture } from './host-fixtures/bundle';
import { missingImport, noHandlerExport, throwsAtInit } from './host-fixtures/init-failures';

const aws: LambdaAwsSettings = {
  region: 'eu-west-1',
  accountId: '123456789012',
  endpointUrl: 'http://127.0.0.1:1',
  credentials: { accessKeyId: 'AKIDPROBE', secretAccessKey: 'secret', sessionToken: 'token' },
};

function definition(assetDir: string, overrides: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return {
    logicalId: 'ProbeFunction',
    functionName: 'lowtide-probe',
    arn: 'arn:aws:lambda:eu-west-1:123456789012:function:lowtide-probe',
    assetDir,
    handler: 'index.handler',
    timeoutSeconds: 30,
    memoryMb: 256,
    environment: { LOWTIDE_TABLE: 'control-table' },
    roleLogicalId: 'ProbeRole',
    ...overrides,
  };
}

interface Description {
  pid: number;
  invocations: number;
  loadedAt: number;
  cwd: string;
  env: Record<string, string>;
  context: Record<string, unknown>;
  heapLimitMb: number;
}

function resultOf(outcome: InvokeOutcome): Description {
  if (!outcome.ok) throw new Error(`invoke failed: ${outcome.errorType}: ${outcome.errorMessage}`);
  return outcome.result as Description;
}

let probe: FixtureAsset;
const hosts: FunctionHost[] = [];
const assets: FixtureAsset[] = [];

function host(def: FunctionDefinition, log?: (line: string) => void): FunctionHost {
  const created = new FunctionHost(def, aws, { log });
  hosts.push(created);
  return created;
}

beforeAll(async () => {
  probe = await bundleFixture(join(import.meta.dirname, 'host-fixtures/probe-handler.ts'));
  assets.push(probe);
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  for (const asset of assets) asset.remove();
});

describe('FunctionHost', () => {
  it('keeps one warm process across invocations and times only the first as a cold start', async () => {
    const fn = host(definition(probe.dir));
    const first = await fn.invoke({ action: 'describe' });
    const second = await fn.invoke({ action: 'describe' });
    expect(first.coldStart).toBe(true);
    expect(first.initMs).toBeGreaterThan(0);
    expect(second.coldStart).toBe(false);
    expect(second.initMs).toBeUndefined();
    expect(resultOf(second).pid).toBe(resultOf(first).pid);
    expect(resultOf(second).invocations).toBe(2);
    expect(resultOf(second).loadedAt).toBe(resultOf(first).loadedAt);
    expect(fn.instanceCount).toBe(1);
  });

  it('gives the handler the Lambda environment and context, and nothing of the parent environment', async () => {
    process.env.LOWTIDE_PARENT_ONLY = 'leak';
    const fn = host(definition(probe.dir));
    const outcome = await fn.invoke({ action: 'describe' });
    delete process.env.LOWTIDE_PARENT_ONLY;
    const { env, context, cwd, heapLimitMb } = resultOf(outcome);

    expect(cwd).toBe(probe.dir);
    expect(env).toMatchObject({
      LOWTIDE_TABLE: 'control-table',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'lowtide-probe',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/lowtide-probe',
      LAMBDA_TASK_ROOT: probe.dir,
      _HANDLER: 'index.handler',
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: 'AKIDPROBE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    });
    expect(env.AWS_EXECUTION_ENV).toMatch(/^AWS_Lambda_nodejs\d+\.x$/);
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env.LOWTIDE_PARENT_ONLY).toBeUndefined();
    expect(env.NODE_PATH).toBeUndefined();
    expect(env.PATH).not.toContain(process.cwd());
    const expectedNames = [
      'LOWTIDE_TABLE',
      'PATH',
      'LANG',
      'TZ',
      '_HANDLER',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_EXECUTION_ENV',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_LAMBDA_INITIALIZATION_TYPE',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_LAMBDA_LOG_STREAM_NAME',
      'AWS_LAMBDA_RUNTIME_API',
      'LAMBDA_TASK_ROOT',
      'LAMBDA_RUNTIME_DIR',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_ENDPOINT_URL',
    ];
    // Node itself may add nothing but these; anything else would have come from the parent.
    expect(Object.keys(env).sort()).toEqual(expectedNames.sort());
    expect(env.LAMBDA_RUNTIME_DIR.startsWith(process.cwd())).toBe(false);

    expect(context).toMatchObject({
      awsRequestId: outcome.requestId,
      functionName: 'lowtide-probe',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:lowtide-probe',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/lowtide-probe',
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.remainingMs).toBeGreaterThan(25_000);
    expect(context.remainingMs).toBeLessThanOrEqual(30_000);
    // The heap is bounded by the memory size as the Lambda bootstrap bounds it.
    expect(heapLimitMb).toBeLessThan(300);
  });

  it('refuses an environment that sets a variable Lambda reserves', () => {
    expect(() => new FunctionHost(definition(probe.dir, { environment: { AWS_REGION: 'x' } }), aws)).toThrow(
      /Environment sets AWS_REGION, which Lambda reserves/,
    );
  });

  it("reports a handler's error by the error's name and keeps the environment warm", async () => {
    const lines: string[] = [];
    const fn = host(definition(probe.dir), (line) => lines.push(line));
    const first = await fn.invoke({ action: 'describe' });
    const failed = await fn.invoke({ action: 'throw', message: 'lease held by run-7' });
    expect(failed).toMatchObject({ ok: false, errorType: 'LeaseHeld', errorMessage: 'lease held by run-7' });
    if (failed.ok) throw new Error('unreachable');
    expect(failed.trace?.[0]).toContain('LeaseHeld: lease held by run-7');
    const after = await fn.invoke({ action: 'describe' });
    expect(after.coldStart).toBe(false);
    expect(resultOf(after).pid).toBe(resultOf(first).pid);
    expect(lines).toContain(JSON.stringify({ level: 'ERROR', message: 'about to throw' }));
    expect(lines).toContain(`START RequestId: ${failed.requestId} Version: $LATEST`);
    expect(
      lines.some(
        (line) => line.startsWith(`REPORT RequestId: ${first.requestId}`) && line.includes('Init Duration'),
      ),
    ).toBe(true);
  });

  it.each([
    ['a throw at init', throwsAtInit, 'TypeError', /^config missing$/],
    [
      'an import the asset lacks',
      missingImport,
      'Runtime.ImportModuleError',
      /a-package-the-asset-does-not-carry/,
    ],
    [
      'no such export',
      noHandlerExport,
      'Runtime.HandlerNotFound',
      /index\.handler is undefined or not exported/,
    ],
  ])(
    'reports %s as an init error, then starts a new environment',
    async (_name, source, errorType, message) => {
      const asset = sourceFixture(source);
      assets.push(asset);
      const fn = host(definition(asset.dir));
      const outcome = await fn.invoke({});
      expect(outcome.ok).toBe(false);
      if (outcome.ok) throw new Error('unreachable');
      // A plain error thrown at init keeps its own name, as the runtime posts it to /init/error.
      expect(outcome.errorType).toBe(errorType);
      expect(outcome.errorMessage).toMatch(message);
      expect(outcome.coldStart).toBe(true);
      const again = await fn.invoke({});
      expect(again.coldStart).toBe(true);
    },
  );

  it('kills an invocation past Timeout, reports it as Lambda does, and cold-starts the next', async () => {
    const fn = host(definition(probe.dir, { timeoutSeconds: 1 }));
    const warm = await fn.invoke({ action: 'describe' });
    const timedOut = await fn.invoke({ action: 'hang' });
    expect(timedOut).toMatchObject({
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds`,
      coldStart: false,
    });
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(1000);
    const next = await fn.invoke({ action: 'describe' });
    expect(next.coldStart).toBe(true);
    expect(resultOf(next).pid).not.toBe(resultOf(warm).pid);
    expect(resultOf(next).invocations).toBe(1);
    expect(fn.instanceCount).toBe(1);
  });

  it('reports a process that exits mid-invocation as Runtime.ExitError and replaces it', async () => {
    const fn = host(definition(probe.dir));
    const warm = await fn.invoke({ action: 'describe' });
    const crashed = await fn.invoke({ action: 'crash' });
    expect(crashed).toMatchObject({
      ok: false,
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: exit status 3`,
    });
    const next = await fn.invoke({ action: 'describe' });
    expect(next.coldStart).toBe(true);
    expect(resultOf(next).pid).not.toBe(resultOf(warm).pid);
  });

  it('starts a second environment for an invocation while the first is busy', async () => {
    // Answers only once two handlers are waiting at the same time, so they must run concurrently.
    const waiting: ServerResponse[] = [];
    const rendezvous = createServer((_req, res) => {
      waiting.push(res);
      if (waiting.length === 2) for (const r of waiting) r.end('both here');
    });
    rendezvous.listen(0, '127.0.0.1');
    await once(rendezvous, 'listening');
    const url = `http://127.0.0.1:${(rendezvous.address() as AddressInfo).port}/`;
    try {
      const fn = host(definition(probe.dir));
      const [a, b] = await Promise.all([
        fn.invoke({ action: 'rendezvous', url }),
        fn.invoke({ action: 'rendezvous', url }),
      ]);
      const [ra, rb] = [a, b].map((o) => {
        if (!o.ok) throw new Error(`${o.errorType}: ${o.errorMessage}`);
        return o.result as { pid: number; answer: string };
      });
      expect(ra.answer).toBe('both here');
      expect(rb.answer).toBe('both here');
      expect(ra.pid).not.toBe(rb.pid);
      expect(a.coldStart && b.coldStart).toBe(true);
      expect(fn.instanceCount).toBe(2);
      // Both stay warm: the next two sequential calls reuse them, starting nothing new.
      const c = await fn.invoke({ action: 'describe' });
      expect(c.coldStart).toBe(false);
      expect([ra.pid, rb.pid]).toContain(resultOf(c).pid);
      expect(fn.instanceCount).toBe(2);
    } finally {
      rendezvous.closeAllConnections();
      rendezvous.close();
    }
  });
});
