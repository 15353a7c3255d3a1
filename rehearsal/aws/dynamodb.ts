import { request as httpRequest } from 'node:http';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type LocalDynamo, startLocalDynamo } from '../../src/control/local-dynamodb';
import type { LocalService, Permission, ServiceRequest } from './service';
import { stringField } from './service';
import { AwsError, type WireResponse } from './wire';

export interface TableDefinition {
  TableName: string;
  KeySchema: unknown[];
  AttributeDefinitions: unknown[];
  GlobalSecondaryIndexes?: unknown[];
  BillingMode?: string;
}

// Per item, a transaction needs the permission of the single-item action it performs
// ("Using IAM with DynamoDB transactions", Amazon DynamoDB Developer Guide).
const TRANSACT_WRITE_ACTIONS: Record<string, string> = {
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
};

const TABLE_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'DescribeTable',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'DescribeContinuousBackups',
]);

/** DynamoDB: each request authorized on its table (or index) ARN, then handed to an in-process dynalite. */
export class LocalDynamoDb implements LocalService {
  readonly signingName = 'dynamodb';
  readonly protocol = { kind: 'json', version: '1.0' } as const;

  private constructor(
    private readonly dynamo: LocalDynamo,
    private readonly arnPrefix: string,
  ) {}

  static async start(
    region: string,
    accountId: string,
    tables: readonly TableDefinition[],
  ): Promise<LocalDynamoDb> {
    const dynamo = await startLocalDynamo();
    try {
      for (const table of tables) await createTable(dynamo, table);
    } catch (error) {
      await dynamo.stop();
      throw error;
    }
    return new LocalDynamoDb(dynamo, `arn:aws:dynamodb:${region}:${accountId}:table/`);
  }

  get endpoint(): string {
    return this.dynamo.endpoint;
  }

  permissions(request: ServiceRequest): Permission[] {
    const { operation, input } = request;
    const action = `dynamodb:${operation}`;
    const tableArn = (name: string) => (name.startsWith('arn:') ? name : `${this.arnPrefix}${name}`);
    if (TABLE_OPERATIONS.has(operation)) {
      return [{ action, resource: tableArn(requireTable(input, operation)) }];
    }
    if (operation === 'Query' || operation === 'Scan') {
      const table = tableArn(requireTable(input, operation));
      const index = stringField(input, 'IndexName');
      return [{ action, resource: index ? `${table}/index/${index}` : table }];
    }
    if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      return Object.keys((input.RequestItems ?? {}) as object).map((name) => ({
        action,
        resource: tableArn(name),
      }));
    }
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      const items = (input.TransactItems ?? []) as Record<string, { TableName?: string }>[];
      return items.flatMap((item) =>
        Object.entries(item).map(([kind, body]) => ({
          action:
            operation === 'TransactGetItems' ? 'dynamodb:GetItem' : (TRANSACT_WRITE_ACTIONS[kind] ?? action),
          resource: tableArn(body.TableName ?? ''),
        })),
      );
    }
    if (operation === 'ListTables') return [{ action, resource: '*' }];
    if (operation === 'ListTagsOfResource' || operation === 'TagResource' || operation === 'UntagResource') {
      return [{ action, resource: stringField(input, 'ResourceArn') ?? '*' }];
    }
    throw new AwsError(
      'UnknownOperationException',
      `the rehearsal's DynamoDB endpoint does not authorize ${operation}; add it to rehearsal/aws/dynamodb.ts`,
    );
  }

  /** The signed request as it came, forwarded to dynalite (which does not check signatures). */
  serve(request: ServiceRequest): Promise<WireResponse> {
    const { headers, body } = request.raw;
    const forwarded: Record<string, string> = {};
    for (const name of [
      'content-type',
      'x-amz-target',
      'x-amz-date',
      'authorization',
      'x-amz-security-token',
    ]) {
      const value = headers[name];
      if (typeof value === 'string') forwarded[name] = value;
    }
    forwarded['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${this.dynamo.endpoint}/`,
        { method: 'POST', headers: forwarded, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const name of ['content-type', 'x-amzn-requestid', 'x-amz-crc32']) {
              const value = res.headers[name];
              if (typeof value === 'string') out[name] = value;
            }
            resolve({ status: res.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): Promise<void> {
    return this.dynamo.stop();
  }
}

function requireTable(input: Record<string, unknown>, operation: string): string {
  const name = stringField(input, 'TableName');
  if (!name) throw new AwsError('ValidationException', `${operation} needs a TableName`);
  return name;
}

async function createTable(dynamo: LocalDynamo, table: TableDefinition): Promise<void> {
  const onDemand = (table.BillingMode ?? 'PAY_PER_REQUEST') === 'PAY_PER_REQUEST';
  const throughput = onDemand ? undefined : { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: table.TableName,
      KeySchema: table.KeySchema as KeySchemaElement[],
      AttributeDefinitions: table.AttributeDefinitions as AttributeDefinition[],
      BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
      ProvisionedThroughput: throughput,
      GlobalSecondaryIndexes: (table.GlobalSecondaryIndexes as GlobalSecondaryIndex[] | undefined)?.map(
        (index) => ({
          ...index,
          ProvisionedThroughput: onDemand ? undefined : (index.ProvisionedThroughput ?? throughput),
        }),
      ),
    }),
  );
  await waitUntilTableExists(
    { client: dynamo.client, maxWaitTime: 30, minDelay: 1 },
    { TableName: table.TableName },
  );
}
