import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoControlStore } from '../../src/control/dynamo-store';
import { ControlStoreUnavailableError } from '../../src/control/errors';
import { backoffDelay, isTransientDynamoError, withRetry } from '../../src/control/retry';
import { LeaseLostError } from '../../src/control/types';
import { type ControlHarness, startControlHarness, uniqueJobId } from './harness';

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });

/**
 * The real document client of the harness, with failures injected before chosen calls, and a
 * record of every command actually sent.
 */
function flakyClient(h: ControlHarness, failures: (commandName: string, call: number) => Error | undefined) {
  const client = DynamoDBDocumentClient.from(h.dynamo.client);
  const realSend = client.send.bind(client);
  const sent: string[] = [];
  let calls = 0;
  client.send = (async (command: { constructor: { name: string } }) => {
    calls += 1;
    const name = command.constructor.name;
    sent.push(name);
    const failure = failures(name, calls);
    if (failure) throw failure;
    return realSend(command as Parameters<typeof realSend>[0]);
  }) as typeof client.send;
  return { client, sent };
}

describe('retries', () => {
  let h: ControlHarness;
  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const fastRetry = { baseDelayMs: 1, maxDelayMs: 4 };

  function storeWith(client: DynamoDBDocumentClient, maxAttempts = 6, onRetry?: () => void) {
    return new DynamoControlStore({
      client,
      tableName: h.tableName,
      now: h.clock.now,
      retry: { ...fastRetry, maxAttempts, onRetry },
    });
  }

  it('retries throttling and server errors, then the write happens once', async () => {
    const jobId = uniqueJobId('throttled');
    const { client, sent } = flakyClient(h, (_name, call) => {
      if (call <= 2) return throttled();
      if (call === 3)
        return new InternalServerError({ message: 'internal', $metadata: { httpStatusCode: 500 } });
      return undefined;
    });
    let retries = 0;
    const result = await storeWith(client, 6, () => retries++).acquireLease(jobId, 'exec-1', 60_000);
    expect(result).toMatchObject({ acquired: true, lease: { owner: 'exec-1', token: 1 } });
    expect(retries).toBe(3);
    expect(sent).toEqual(['UpdateCommand', 'UpdateCommand', 'UpdateCommand', 'UpdateCommand']);
    expect((await h.store.getJob(jobId))?.lease?.token).toBe(1);
  });

  it('retries a dropped connection', async () => {
    const jobId = uniqueJobId('network');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { client, sent } = flakyClient(h, (_name, call) => (call === 1 ? reset : undefined));
    await storeWith(client).ensureJob(jobId);
    expect(sent).toHaveLength(2);
    expect((await h.store.getJob(jobId))?.status).toBe('idle');
  });

  it('gives up after the last attempt with an error an operator can act on', async () => {
    const jobId = uniqueJobId('always-throttled');
    const { client, sent } = flakyClient(h, () => throttled());
    const error = await storeWith(client, 4)
      .ensureJob(jobId)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlStoreUnavailableError);
    expect((error as Error).message).toMatch(
      /ensureJob still failed after 4 attempts \(ProvisionedThroughputExceededException/,
    );
    expect((error as Error).cause).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(sent).toHaveLength(4);
    expect(await h.rawJob(jobId)).toBeUndefined();
  });

  it('never resends a write whose condition failed: it reads back once and answers', async () => {
    const jobId = uniqueJobId('held');
    const held = await h.store.acquireLease(jobId, 'owner-a', 60_000);
    if (!held.acquired) throw new Error('lease expected');
    const { client, sent } = flakyClient(h, () => undefined);
    const store = storeWith(client);

    expect(await store.acquireLease(jobId, 'owner-b', 60_000)).toMatchObject({
      acquired: false,
      heldBy: 'owner-a',
    });
    expect(sent).toEqual(['UpdateCommand', 'GetCommand']);

    sent.length = 0;
    await expect(
      store.saveCheckpoint(
        jobId,
        { token: held.lease.token + 1 },
        {
          lastKey: null,
          batchNo: 0,
          rowsDone: 0,
          rowsScanned: 0,
          sizer: { size: 10, recentMsPerRow: [] },
          at: new Date(h.clock.ms).toISOString(),
        },
      ),
    ).rejects.toThrow(LeaseLostError);
    expect(sent).toEqual(['UpdateCommand', 'GetCommand']);

    sent.length = 0;
    expect(
      (await store.commit(jobId, { lease: { kind: 'release', lease: { owner: 'owner-b', token: 1 } } }))
        .released,
    ).toBe(false);
    // The release is decided on the item as read: not ours, so nothing is written (or resent).
    expect(sent).toEqual(['GetCommand']);
  });

  it('a throttled conditional write is retried, and its condition still decides', async () => {
    const jobId = uniqueJobId('throttled-held');
    await h.store.acquireLease(jobId, 'owner-a', 60_000);
    const { client, sent } = flakyClient(h, (_name, call) => (call === 1 ? throttled() : undefined));
    expect(await storeWith(client).acquireLease(jobId, 'owner-b', 60_000)).toMatchObject({
      acquired: false,
      heldBy: 'owner-a',
    });
    expect(sent).toEqual(['UpdateCommand', 'UpdateCommand', 'GetCommand']);
    expect((await h.store.getJob(jobId))?.lease?.owner).toBe('owner-a');
  });

  it('does not retry an error that says the request itself is wrong', async () => {
    const invalid = Object.assign(new Error('One or more parameter values were invalid'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    let calls = 0;
    await expect(
      withRetry(
        'putItem',
        async () => {
          calls++;
          throw invalid;
        },
        fastRetry,
      ),
    ).rejects.toBe(invalid);
    expect(calls).toBe(1);
  });
});

describe('transient error classification and backoff', () => {
  it.each([
    ['ProvisionedThroughputExceededException', {}, true],
    ['ThrottlingException', {}, true],
    ['RequestLimitExceeded', {}, true],
    ['InternalServerError', {}, true],
    ['SomethingNew', { $metadata: { httpStatusCode: 503 } }, true],
    ['Error', { code: 'ETIMEDOUT' }, true],
    ['ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 }, $retryable: {} }, false],
    ['ValidationException', { $metadata: { httpStatusCode: 400 } }, false],
    ['ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } }, false],
    ['AccessDeniedException', { $metadata: { httpStatusCode: 403 } }, false],
  ])('%s %j is transient: %s', (name, extra, transient) => {
    const error = Object.assign(new Error(name), { name, ...extra });
    expect(isTransientDynamoError(error)).toBe(transient);
  });

  it('backs off exponentially, capped, with jitter in the upper half', () => {
    const at = (random: number) =>
      [1, 2, 3, 4, 5, 6, 7].map((n) =>
        backoffDelay(n, { baseDelayMs: 50, maxDelayMs: 1000, random: () => random }),
      );
    expect(at(0)).toEqual([25, 50, 100, 200, 400, 500, 500]);
    expect(at(0.999999)).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });

  it('waits between attempts as the backoff says', async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await withRetry(
      'getItem',
      async () => {
        calls++;
        if (calls < 4) throw throttled();
        return 'ok';
      },
      { baseDelayMs: 100, maxDelayMs: 300, random: () => 0, sleep: async (ms) => void waits.push(ms) },
    );
    expect(value).toBe('ok');
    expect(waits).toEqual([50, 100, 150]);
  });
});
