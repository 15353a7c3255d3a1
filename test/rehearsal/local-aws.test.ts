import { join } from 'node:path';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../rehearsal/aws/local-aws';
import { FunctionHost } from '../../rehearsal/lambda/function-host';
import { appConfigFlagReader } from '../../src/health/appconfig-reader';
import { cloudWatchFreeStorage } from '../../src/health/free-storage';
import { bundleFixture, type FixtureAsset } from './host-fixtures/bundle';

const region = 'eu-west-1';
const account = '123456789012';
const tableArn = `arn:aws:dynamodb:${region}:${account}:table/control`;
const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:lowtide/db-AbCdEf`;
const topicArn = `arn:aws:sns:${region}:${account}:lowtide-runs`;
const machineArn = `arn:aws:states:${region}:${account}:stateMachine:lowtide`;
const executionArn = (name: string) => `arn:aws:states:${region}:${account}:execution:lowtide:${name}`;
const secretValue = JSON.stringify({
  engine: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  username: 'app',
  password: 'p1',
});

const worker = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      Resource: [tableArn, `${tableArn}/index/*`],
    },
    { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
    { Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      Resource: `arn:aws:appconfig:${region}:${account}:application/app1234/environment/env1234/configuration/prf1234`,
    },
    { Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn },
    { Effect: 'Allow', Action: 'states:StartExecution', Resource: machineArn },
    {
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: `arn:aws:states:${region}:${account}:execution:lowtide:*`,
    },
  ],
};
// Reads only: everything the worker writes is denied to it.
const reader = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn }],
};

const flagProfiles = new Map<string, { document: unknown; version: number }>([
  ['app1234/env1234/prf1234', { document: { maintenance: { enabled: true } }, version: 1 }],
  ['app1234/env1234/other99', { document: { maintenance: { enabled: true } }, version: 1 }],
]);
const executions = new Map<string, { input?: string; status: string; startDate: Date; stopDate?: Date }>();
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws({
    region,
    accountId: account,
    roles: { WorkerRole: [worker], ReaderRole: [reader] },
    tables: [
      {
        TableName: 'control',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'status', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byStatus',
            KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      },
    ],
    secrets: { [secretArn]: secretValue },
    alarms: {
      describe: (names) =>
        names.map((AlarmName) => ({ AlarmName, StateValue: AlarmName === 'db-cpu' ? 'ALARM' : 'OK' })),
    },
    topics: { [topicArn]: {} },
    flags: { current: (key) => flagProfiles.get(key) },
    freeStorage: { freeBytes: (id) => (id === 'orders-writer' ? 5e9 : undefined) },
    stepFunctions: {
      async startExecution({ stateMachineArn, name, input }) {
        const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        if (executions.has(arn)) {
          throw Object.assign(new Error(`Execution Already Exists: '${arn}'`), {
            name: 'ExecutionAlreadyExists',
          });
        }
        const startDate = new Date();
        executions.set(arn, { input, status: 'RUNNING', startDate });
        return { executionArn: arn, startDate };
      },
      async stopExecution({ executionArn: arn }) {
        const execution = executions.get(arn)!;
        execution.status = 'ABORTED';
        execution.stopDate = new Date();
        return { stopDate: execution.stopDate };
      },
      async describeExecution({ executionArn: arn }) {
        const execution = executions.get(arn)!;
        return { executionArn: arn, stateMachineArn: machineArn, ...execution };
      },
    },
  });
});

afterAll(async () => {
  await aws?.close();
});

function clientConfig(role: string) {
  return { region, endpoint: aws.endpointUrl, credentials: aws.credentialsFor(role), maxAttempts: 1 };
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('local AWS endpoint', () => {
  it('serves DynamoDB through dynalite for an allowed role, and denies what the policy does not allow', async () => {
    const dynamo = new DynamoDBClient(clientConfig('WorkerRole'));
    const item = { pk: { S: 'job#1' }, sk: { S: 'state' }, status: { S: 'running' } };
    await dynamo.send(new PutItemCommand({ TableName: 'control', Item: item }));
    await dynamo.send(
      new UpdateItemCommand({
        TableName: 'control',
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET batches = :n',
        ExpressionAttributeValues: { ':n': { N: '3' } },
      }),
    );
    const byStatus = await dynamo.send(
      new QueryCommand({
        TableName: 'control',
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'running' } },
      }),
    );
    expect(byStatus.Items?.map((found) => found.batches?.N)).toEqual(['3']);
    expect(aws.calls).toContainEqual({
      role: 'WorkerRole',
      action: 'dynamodb:Query',
      resource: `${tableArn}/index/byStatus`,
      allowed: true,
    });

    const readerClient = new DynamoDBClient(clientConfig('ReaderRole'));
    const read = await readerClient.send(
      new GetItemCommand({ TableName: 'control', Key: { pk: item.pk, sk: item.sk } }),
    );
    expect(read.Item?.batches?.N).toBe('3');
    const denied = await errorOf(
      readerClient.send(
        new UpdateItemCommand({
          TableName: 'control',
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET batches = :n',
          ExpressionAttributeValues: { ':n': { N: '99' } },
        }),
      ),
    );
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toBe(
      `User: arn:aws:sts::${account}:assumed-role/ReaderRole/rehearsal is not authorized to perform: dynamodb:UpdateItem on resource: ${tableArn} because no identity-based policy allows it`,
    );
    expect(aws.denied).toContainEqual(
      expect.objectContaining({ role: 'ReaderRole', action: 'dynamodb:UpdateItem', resource: tableArn }),
    );
    // The denied write changed nothing.
    const after = await dynamo.send(
      new GetItemCommand({ TableName: 'control', Key: { pk: item.pk, sk: item.sk } }),
    );
    expect(after.Item?.batches?.N).toBe('3');
  });

  it('answers Secrets Manager GetSecretValue by ARN or name, and a rotation is seen at once', async () => {
    const secrets = new SecretsManagerClient(clientConfig('WorkerRole'));
    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    expect(byArn).toMatchObject({ ARN: secretArn, Name: 'lowtide/db', SecretString: secretValue });
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    const rotated = JSON.stringify({ ...JSON.parse(secretValue), password: 'p2' });
    aws.putSecret(secretArn, rotated);
    const byName = await secrets.send(new GetSecretValueCommand({ SecretId: 'lowtide/db' }));
    expect(byName.SecretString).toBe(rotated);
    expect(byName.VersionId).not.toBe(byArn.VersionId);
    aws.putSecret(secretArn, secretValue);

    const denied = await errorOf(
      new SecretsManagerClient(clientConfig('ReaderRole')).send(
        new GetSecretValueCommand({ SecretId: secretArn }),
      ),
    );
    expect(denied.name).toBe('AccessDeniedException');
    const missing = await errorOf(
      secrets.send(
        new GetSecretValueCommand({
          SecretId: `arn:aws:secretsmanager:${region}:${account}:secret:other-XyZ123`,
        }),
      ),
    );
    // The worker may not read that secret at all: IAM is decided before existence, as on AWS.
    expect(missing.name).toBe('AccessDeniedException');
  });

  it('answers CloudWatch DescribeAlarms in the JSON protocol the installed SDK speaks', async () => {
    const cloudwatch = new CloudWatchClient(clientConfig('WorkerRole'));
    const page = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: ['db-cpu', 'replica-lag'],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      }),
    );
    expect(page.MetricAlarms?.map((alarm) => [alarm.AlarmName, alarm.StateValue, alarm.AlarmArn])).toEqual([
      ['db-cpu', 'ALARM', `arn:aws:cloudwatch:${region}:${account}:alarm:db-cpu`],
      ['replica-lag', 'OK', `arn:aws:cloudwatch:${region}:${account}:alarm:replica-lag`],
    ]);
    const denied = await errorOf(
      new CloudWatchClient(clientConfig('ReaderRole')).send(
        new DescribeAlarmsCommand({ AlarmNames: ['db-cpu'] }),
      ),
    );
    // CloudWatch's query-compatible code for a denial.
    expect(denied.name).toBe('AccessDenied');
  });

  it('answers AppConfig Data (restJson1) to the real reader: single-use tokens, unchanged as empty, IAM on the profile', async () => {
    const flags = appConfigFlagReader(new AppConfigDataClient(clientConfig('WorkerRole')));
    const ref = { application: 'app1234', environment: 'env1234', profile: 'prf1234', flag: 'maintenance' };
    expect(await flags.isEnabled(ref)).toBe(true);
    expect(await flags.isEnabled(ref)).toBe(true); // unchanged: an empty body, the cached document stands
    flagProfiles.set('app1234/env1234/prf1234', {
      document: { maintenance: { enabled: false } },
      version: 2,
    });
    expect(await flags.isEnabled(ref)).toBe(false);
    const calls = aws.calls.filter((c) => c.action.startsWith('appconfig:')).map((c) => c.action);
    expect(calls).toEqual([
      'appconfig:StartConfigurationSession',
      'appconfig:GetLatestConfiguration',
      'appconfig:GetLatestConfiguration',
      'appconfig:GetLatestConfiguration',
    ]);
    // Another profile is not in the policy: denied as AppConfig denies.
    const denied = await errorOf(flags.isEnabled({ ...ref, profile: 'other99' }));
    expect(denied.name).toBe('AccessDeniedException');
    expect(aws.denied.at(-1)).toMatchObject({
      action: 'appconfig:StartConfigurationSession',
      resource: `arn:aws:appconfig:${region}:${account}:application/app1234/environment/env1234/configuration/other99`,
    });
  });

  it('answers CloudWatch GetMetricData for FreeStorageSpace to the real reader', async () => {
    const cloudwatch = new CloudWatchClient(clientConfig('WorkerRole'));
    expect(await cloudWatchFreeStorage(cloudwatch, { instanceId: 'orders-writer' })()).toEqual({
      freeBytes: 5e9,
      source: 'FreeStorageSpace of RDS instance orders-writer',
    });
    expect(await cloudWatchFreeStorage(cloudwatch, { instanceId: 'unknown-db' })()).toMatchObject({
      unknown: expect.stringContaining('no FreeStorageSpace for RDS instance unknown-db'),
    });
    const denied = await errorOf(
      cloudWatchFreeStorage(new CloudWatchClient(clientConfig('ReaderRole')), {
        instanceId: 'orders-writer',
      })(),
    );
    expect(denied.name).toBe('AccessDenied');
  });

  it('publishes to SNS (awsQuery) and refuses a role without sns:Publish', async () => {
    const sns = new SNSClient(clientConfig('WorkerRole'));
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'lowtide run completed',
        Message: JSON.stringify({ status: 'SUCCEEDED', rows: 42 }),
        MessageAttributes: { status: { DataType: 'String', StringValue: 'SUCCEEDED' } },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(aws.published).toContainEqual({
      topicArn,
      subject: 'lowtide run completed',
      message: JSON.stringify({ status: 'SUCCEEDED', rows: 42 }),
      attributes: { status: { DataType: 'String', StringValue: 'SUCCEEDED' } },
    });
    const denied = await errorOf(
      new SNSClient(clientConfig('ReaderRole')).send(
        new PublishCommand({ TopicArn: topicArn, Message: 'x' }),
      ),
    );
    expect(denied.name).toBe('AuthorizationErrorException');
    expect(aws.published).toHaveLength(1);
  });

  it('delegates Step Functions calls to the runner, carrying its error names', async () => {
    const sfn = new SFNClient(clientConfig('WorkerRole'));
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'run-1', input: '{"a":1}' }),
    );
    expect(started.executionArn).toBe(executionArn('run-1'));
    expect(started.startDate).toBeInstanceOf(Date);
    const again = await errorOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'run-1' })),
    );
    expect(again.name).toBe('ExecutionAlreadyExists');
    await sfn.send(
      new StopExecutionCommand({ executionArn: executionArn('run-1'), error: 'Console', cause: 'stop' }),
    );
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn('run-1') }));
    expect(described).toMatchObject({ status: 'ABORTED', input: '{"a":1}' });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(aws.calls).toContainEqual({
      role: 'WorkerRole',
      action: 'states:StopExecution',
      resource: executionArn('run-1'),
      allowed: true,
    });
    const denied = await errorOf(
      new SFNClient(clientConfig('ReaderRole')).send(
        new StartExecutionCommand({ stateMachineArn: machineArn, name: 'run-2' }),
      ),
    );
    expect(denied.name).toBe('AccessDeniedException');
    expect(executions.has(executionArn('run-2'))).toBe(false);
  });

  it('refuses unknown keys and bad signatures as AWS does', async () => {
    const stranger = new DynamoDBClient({
      region,
      endpoint: aws.endpointUrl,
      credentials: { accessKeyId: 'ASIANOBODY', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const unknown = await errorOf(
      stranger.send(new GetItemCommand({ TableName: 'control', Key: { pk: { S: 'a' }, sk: { S: 'b' } } })),
    );
    expect(unknown.name).toBe('UnrecognizedClientException');
    const { accessKeyId, sessionToken } = aws.credentialsFor('WorkerRole');
    const forger = new DynamoDBClient({
      region,
      endpoint: aws.endpointUrl,
      credentials: { accessKeyId, sessionToken, secretAccessKey: 'not-the-secret' },
      maxAttempts: 1,
    });
    const forged = await errorOf(
      forger.send(new GetItemCommand({ TableName: 'control', Key: { pk: { S: 'a' }, sk: { S: 'b' } } })),
    );
    expect(forged.name).toBe('InvalidSignatureException');
  });

  it('is reached by a function through AWS_ENDPOINT_URL alone, and by AWS_ENDPOINT_URL_<SERVICE>', async () => {
    let asset: FixtureAsset | undefined;
    const fn = await (async () => {
      asset = await bundleFixture(join(import.meta.dirname, 'host-fixtures/sdk-handler.ts'));
      return new FunctionHost(
        {
          logicalId: 'SdkFunction',
          functionName: 'lowtide-sdk',
          arn: `arn:aws:lambda:${region}:${account}:function:lowtide-sdk`,
          assetDir: asset.dir,
          handler: 'index.handler',
          timeoutSeconds: 30,
          memoryMb: 512,
          environment: { TABLE: 'control', SECRET_ARN: secretArn },
          roleLogicalId: 'WorkerRole',
        },
        {
          region,
          accountId: account,
          endpointUrl: aws.endpointUrl,
          credentials: aws.credentialsFor('WorkerRole'),
        },
      );
    })();
    try {
      const outcome = await fn.invoke({ pk: 'job#fn' });
      expect(outcome).toMatchObject({ ok: true, result: { stored: 'job#fn', password: 'p1' } });
      expect(aws.calls).toContainEqual({
        role: 'WorkerRole',
        action: 'dynamodb:PutItem',
        resource: tableArn,
        allowed: true,
      });
    } finally {
      await fn.close();
      asset?.remove();
    }

    // The service-specific variable wins over the general one in the installed SDK.
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:1';
    process.env.AWS_ENDPOINT_URL_DYNAMODB = aws.endpointUrl;
    try {
      const viaEnv = new DynamoDBClient({
        region,
        credentials: aws.credentialsFor('WorkerRole'),
        maxAttempts: 1,
      });
      const read = await viaEnv.send(
        new GetItemCommand({ TableName: 'control', Key: { pk: { S: 'job#fn' }, sk: { S: 'fn' } } }),
      );
      expect(read.Item?.pk?.S).toBe('job#fn');
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }
  });
});
