import {
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** Key attribute names of the control table; the CDK table must use the same ones. */
export const CONTROL_TABLE_PARTITION_KEY = 'pk';
export const CONTROL_TABLE_SORT_KEY = 'sk';

export class ControlTableError extends Error {
  override readonly name = 'ControlTableError';
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Creates the control table (on-demand billing, string pk/sk) for local use and tests, and waits
 * until it is ACTIVE. Idempotent: an existing table with the right keys is accepted as is; one with
 * other keys is refused, since every read and write of the store would fail against it.
 */
export async function createControlTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  if (!TABLE_NAME.test(tableName)) {
    throw new ControlTableError(
      `'${tableName}' is not a valid DynamoDB table name: use 3 to 255 letters, digits, '_', '-' or '.'`,
    );
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: CONTROL_TABLE_PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: CONTROL_TABLE_SORT_KEY, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: CONTROL_TABLE_PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: CONTROL_TABLE_SORT_KEY, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  await waitUntilActive(client, tableName, options.timeoutMs ?? 60_000);
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    assertControlKeys(tableName, described);
    const status = described.Table?.TableStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() + delay > deadline) {
      throw new ControlTableError(
        `table '${tableName}' is still ${status ?? 'unknown'} after ${timeoutMs} ms; check it in DynamoDB`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 1000);
  }
}

function assertControlKeys(tableName: string, described: DescribeTableCommandOutput): void {
  const keys = described.Table?.KeySchema ?? [];
  const hash = keys.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  if (hash !== CONTROL_TABLE_PARTITION_KEY || range !== CONTROL_TABLE_SORT_KEY) {
    throw new ControlTableError(
      `table '${tableName}' exists with keys (${hash ?? 'none'}, ${range ?? 'none'}), not ` +
        `(${CONTROL_TABLE_PARTITION_KEY}, ${CONTROL_TABLE_SORT_KEY}); give lowtide a table of its own`,
    );
  }
}
