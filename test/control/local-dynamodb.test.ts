import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoControlStore } from '../../src/control/dynamo-store';
import { connectLocalDynamo, startLocalDynamo } from '../../src/control/local-dynamodb';
import { ControlTableError, createControlTable } from '../../src/control/table';

describe('local DynamoDB and the control table', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lowtide-dynalite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves another client through the endpoint and keeps state on disk across restarts', async () => {
    const first = await startLocalDynamo({ path: dir });
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await createControlTable(first.client, 'lowtide-control');
    // Idempotent: a second call accepts the table that is there.
    await createControlTable(first.client, 'lowtide-control');
    const store = new DynamoControlStore({ client: first.documentClient, tableName: 'lowtide-control' });
    const lease = await store.acquireLease('nightly-purge', 'local-run-1', 60_000);
    expect(lease.acquired).toBe(true);

    // What a second CLI process does: connect to the endpoint, not the files.
    const other = connectLocalDynamo(first.endpoint);
    const seen = new DynamoControlStore({ client: other.documentClient, tableName: 'lowtide-control' });
    expect(await seen.acquireLease('nightly-purge', 'local-run-2', 60_000)).toMatchObject({
      acquired: false,
      heldBy: 'local-run-1',
    });
    other.documentClient.destroy();
    await first.stop();

    const second = await startLocalDynamo({ path: dir });
    try {
      const again = new DynamoControlStore({ client: second.documentClient, tableName: 'lowtide-control' });
      expect((await again.getJob('nightly-purge'))?.lease?.owner).toBe('local-run-1');
    } finally {
      await second.stop();
    }
  });

  it('refuses a table with other keys and a name DynamoDB would refuse', async () => {
    const local = await startLocalDynamo();
    try {
      await local.client.send(
        new CreateTableCommand({
          TableName: 'someone-elses',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      await expect(createControlTable(local.client, 'someone-elses')).rejects.toThrow(
        /exists with keys \(id, none\), not \(pk, sk\)/,
      );
      await expect(createControlTable(local.client, 'no/slashes')).rejects.toThrow(ControlTableError);
    } finally {
      await local.stop();
    }
  });

  it('listens on the port asked for', async () => {
    const probe = await startLocalDynamo();
    const port = Number(new URL(probe.endpoint).port);
    await probe.stop();
    const local = await startLocalDynamo({ port });
    try {
      expect(local.endpoint).toBe(`http://127.0.0.1:${port}`);
      await createControlTable(local.client, 'lowtide-control');
    } finally {
      await local.stop();
    }
  });
});
