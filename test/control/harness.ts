import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoControlStore, type DynamoControlStoreOptions } from '../../src/control/dynamo-store';
import { JOB_ITEM_SK, jobPk } from '../../src/control/item-keys';
import { type LocalDynamo, startLocalDynamo } from '../../src/control/local-dynamodb';
import { createControlTable } from '../../src/control/table';
import type { JobStatus } from '../../src/control/types';

/** A settable clock, so lease expiry is a step in the test instead of a sleep. */
export class TestClock {
  constructor(public ms = Date.parse('2025-03-01T02:00:00.000Z')) {}
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface ControlHarness {
  readonly dynamo: LocalDynamo;
  readonly tableName: string;
  readonly clock: TestClock;
  readonly store: DynamoControlStore;
  /** Another store on the same table (another Lambda, another process). */
  newStore(options?: Partial<DynamoControlStoreOptions>): DynamoControlStore;
  /** The job item as stored, attribute by attribute. */
  rawJob(jobId: string): Promise<Record<string, unknown> | undefined>;
  /** Puts a job item in a given status directly, to arrange a test. */
  putJob(jobId: string, status: JobStatus, extra?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** dynalite in this process and a fresh control table, for one test file. */
export async function startControlHarness(
  options: Partial<DynamoControlStoreOptions> = {},
): Promise<ControlHarness> {
  const dynamo = await startLocalDynamo();
  const tableName = `lowtide-control-${randomBytes(4).toString('hex')}`;
  await createControlTable(dynamo.client, tableName);
  const clock = new TestClock();
  // A document client with default marshalling, as a caller might build one: the store must not
  // depend on removeUndefinedValues being set.
  const plainClient = DynamoDBDocumentClient.from(dynamo.client);
  const newStore = (more: Partial<DynamoControlStoreOptions> = {}) =>
    new DynamoControlStore({ client: plainClient, tableName, now: clock.now, ...options, ...more });
  return {
    dynamo,
    tableName,
    clock,
    store: newStore(),
    newStore,
    rawJob: async (jobId) => {
      const out = await dynamo.documentClient.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: jobPk(jobId), sk: JOB_ITEM_SK },
          ConsistentRead: true,
        }),
      );
      return out.Item;
    },
    putJob: async (jobId, status, extra = {}) => {
      await dynamo.documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: jobPk(jobId),
            sk: JOB_ITEM_SK,
            jobId,
            status,
            lastToken: 0,
            pauseRequests: [],
            version: 0,
            createdAt: new Date(clock.ms).toISOString(),
            updatedAt: new Date(clock.ms).toISOString(),
            ...extra,
          },
        }),
      );
    },
    stop: () => dynamo.stop(),
  };
}

let counter = 0;
/** A job id no other test in the file uses. */
export function uniqueJobId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
