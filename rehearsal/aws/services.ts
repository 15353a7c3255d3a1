import { randomUUID } from 'node:crypto';
import type { PolicyDocument } from './iam';
import type { LocalService, Permission, ServiceRequest } from './service';
import { stringField } from './service';
import { AwsError, jsonResponse, queryResponse, type WireResponse } from './wire';

function unsupported(service: string, operation: string): AwsError {
  return new AwsError(
    'UnknownOperationException',
    `the rehearsal's ${service} endpoint does not emulate ${operation}; add it to rehearsal/aws/services.ts`,
  );
}

/** Secrets Manager GetSecretValue over secrets held in memory (putSecret stands in for a rotation). */
export class LocalSecretsManager implements LocalService {
  readonly signingName = 'secretsmanager';
  readonly protocol = { kind: 'json', version: '1.1' } as const;
  private readonly secrets = new Map<string, { value: string; versionId: string; createdDate: Date }>();

  constructor(
    secrets: Readonly<Record<string, string>>,
    private readonly arnPrefix: string,
  ) {
    for (const [arn, value] of Object.entries(secrets)) this.put(arn, value);
  }

  put(arn: string, value: string): void {
    this.secrets.set(arn, { value, versionId: randomUUID(), createdDate: new Date() });
  }

  /** A full ARN, a partial ARN (without the 6-character suffix) or a name, as GetSecretValue accepts. */
  private find(secretId: string): string | undefined {
    for (const arn of this.secrets.keys()) {
      const fullName = arn.split(':secret:')[1] ?? '';
      const name = fullName.replace(/-[A-Za-z0-9]{6}$/, '');
      if (secretId === arn || secretId === fullName || secretId === name || arn.startsWith(`${secretId}-`)) {
        return arn;
      }
    }
    return undefined;
  }

  private secretArn(input: Record<string, unknown>): string {
    const id = stringField(input, 'SecretId');
    if (!id) throw new AwsError('InvalidParameterException', 'SecretId is required');
    return this.find(id) ?? (id.startsWith('arn:') ? id : `${this.arnPrefix}${id}`);
  }

  permissions(request: ServiceRequest): Permission[] {
    if (request.operation !== 'GetSecretValue') throw unsupported('Secrets Manager', request.operation);
    return [{ action: 'secretsmanager:GetSecretValue', resource: this.secretArn(request.input) }];
  }

  async serve(request: ServiceRequest): Promise<WireResponse> {
    const arn = this.secretArn(request.input);
    const secret = this.secrets.get(arn);
    if (!secret) {
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return jsonResponse(this.protocol, {
      ARN: arn,
      Name: (arn.split(':secret:')[1] ?? arn).replace(/-[A-Za-z0-9]{6}$/, ''),
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    });
  }
}

export interface AlarmAnswer {
  AlarmName: string;
  StateValue: string;
  AlarmArn?: string;
  StateReason?: string;
}

export interface AlarmSource {
  describe(names: readonly string[]): AlarmAnswer[];
}

/** FreeStorageSpace per DBInstanceIdentifier, in bytes; undefined: no datapoints. */
export interface FreeStorageSource {
  freeBytes(instanceId: string): number | undefined;
}

/**
 * CloudWatch DescribeAlarms, answered from the rehearsal's alarm states, and GetMetricData for
 * AWS/RDS FreeStorageSpace, answered from the rehearsal's free storage. The installed SDK speaks
 * JSON 1.0 to CloudWatch with awsQuery compatibility (errors carry x-amzn-query-error).
 */
export class LocalCloudWatch implements LocalService {
  readonly signingName = 'monitoring';
  readonly protocol = { kind: 'json', version: '1.0', queryCompatible: true } as const;

  constructor(
    private readonly alarms: AlarmSource | undefined,
    private readonly arnPrefix: string,
    private readonly storage?: FreeStorageSource,
  ) {}

  permissions(request: ServiceRequest): Permission[] {
    // GetMetricData has no resource-level permissions: IAM evaluates it on "*".
    if (request.operation === 'GetMetricData') return [{ action: 'cloudwatch:GetMetricData', resource: '*' }];
    if (request.operation !== 'DescribeAlarms') throw unsupported('CloudWatch', request.operation);
    const names = (request.input.AlarmNames ?? []) as string[];
    // With names, the caller needs DescribeAlarms on each alarm; without, on every alarm ("*").
    if (names.length === 0) return [{ action: 'cloudwatch:DescribeAlarms', resource: '*' }];
    return names.map((name) => ({
      action: 'cloudwatch:DescribeAlarms',
      resource: `${this.arnPrefix}${name}`,
    }));
  }

  async serve(request: ServiceRequest): Promise<WireResponse> {
    if (request.operation === 'GetMetricData') return this.metricData(request);
    const names = (request.input.AlarmNames ?? []) as string[];
    const types = (request.input.AlarmTypes ?? ['MetricAlarm']) as string[];
    const found = (this.alarms?.describe(names) ?? []).map((alarm) => ({
      AlarmArn: `${this.arnPrefix}${alarm.AlarmName}`,
      ...alarm,
    }));
    const onlyComposite = types.length === 1 && types[0] === 'CompositeAlarm';
    return jsonResponse(this.protocol, {
      MetricAlarms: onlyComposite ? [] : found,
      CompositeAlarms: onlyComposite ? found : [],
    });
  }

  /** One datapoint per FreeStorageSpace query of an RDS instance; any other metric has none. */
  private metricData(request: ServiceRequest): WireResponse {
    type Query = {
      Id: string;
      MetricStat?: {
        Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
      };
    };
    const queries = (request.input.MetricDataQueries ?? []) as Query[];
    const results = queries.map((q) => {
      const metric = q.MetricStat?.Metric;
      const instance = metric?.Dimensions?.find((d) => d.Name === 'DBInstanceIdentifier')?.Value;
      const value =
        metric?.Namespace === 'AWS/RDS' && metric.MetricName === 'FreeStorageSpace' && instance
          ? this.storage?.freeBytes(instance)
          : undefined;
      return {
        Id: q.Id,
        Label: metric?.MetricName ?? q.Id,
        Timestamps: value === undefined ? [] : [new Date()],
        Values: value === undefined ? [] : [value],
        StatusCode: 'Complete',
      };
    });
    return jsonResponse(this.protocol, { MetricDataResults: results, Messages: [] });
  }
}

export interface PublishedMessage {
  topicArn: string;
  message: string;
  subject?: string;
  attributes?: Record<string, unknown>;
}

/** SNS Publish (awsQuery, as the installed SDK speaks it), keeping every message. */
export class LocalSns implements LocalService {
  readonly signingName = 'sns';
  readonly protocol = { kind: 'query', xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/' } as const;
  readonly published: PublishedMessage[] = [];

  constructor(
    private readonly topics: Readonly<Record<string, { resourcePolicy?: PolicyDocument }>> | undefined,
  ) {}

  private topicArn(input: Record<string, unknown>): string {
    const arn = stringField(input, 'TopicArn') ?? stringField(input, 'TargetArn');
    if (!arn)
      throw new AwsError(
        'InvalidParameter',
        'Invalid parameter: TopicArn or TargetArn Reason: no value',
        400,
        'InvalidParameter',
      );
    return arn;
  }

  permissions(request: ServiceRequest): Permission[] {
    if (request.operation !== 'Publish') throw unsupported('SNS', request.operation);
    const topicArn = this.topicArn(request.input);
    return [
      { action: 'sns:Publish', resource: topicArn, resourcePolicy: this.topics?.[topicArn]?.resourcePolicy },
    ];
  }

  async serve(request: ServiceRequest): Promise<WireResponse> {
    const input = request.input;
    const topicArn = this.topicArn(input);
    if (this.topics && !(topicArn in this.topics)) {
      throw new AwsError('NotFoundException', 'Topic does not exist', 404, 'NotFound');
    }
    const attributes: Record<string, unknown> = {};
    for (let n = 1; stringField(input, `MessageAttributes.entry.${n}.Name`); n++) {
      const prefix = `MessageAttributes.entry.${n}`;
      attributes[stringField(input, `${prefix}.Name`)!] = {
        DataType: stringField(input, `${prefix}.Value.DataType`),
        StringValue: stringField(input, `${prefix}.Value.StringValue`),
      };
    }
    const subject = stringField(input, 'Subject');
    this.published.push({
      topicArn,
      message: stringField(input, 'Message') ?? '',
      ...(subject !== undefined ? { subject } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    });
    return queryResponse(this.protocol, 'Publish', { MessageId: randomUUID() });
  }
}

export interface StepFunctionsRunner {
  startExecution(input: {
    stateMachineArn: string;
    name?: string;
    input?: string;
  }): Promise<{ executionArn: string; startDate: Date }>;
  stopExecution(input: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }>;
  describeExecution(input: { executionArn: string }): Promise<Record<string, unknown>>;
}

const SFN_OPERATIONS: Record<string, { arnField: string; method: keyof StepFunctionsRunner }> = {
  StartExecution: { arnField: 'stateMachineArn', method: 'startExecution' },
  StopExecution: { arnField: 'executionArn', method: 'stopExecution' },
  DescribeExecution: { arnField: 'executionArn', method: 'describeExecution' },
};

/** Step Functions calls a function makes, delegated to the rehearsal's state-machine runner. */
export class LocalStepFunctions implements LocalService {
  readonly signingName = 'states';
  readonly protocol = { kind: 'json', version: '1.0' } as const;

  constructor(private readonly runner: StepFunctionsRunner | undefined) {}

  permissions(request: ServiceRequest): Permission[] {
    const spec = SFN_OPERATIONS[request.operation];
    if (!spec) throw unsupported('Step Functions', request.operation);
    const arn = stringField(request.input, spec.arnField);
    if (!arn) throw new AwsError('InvalidArn', `${spec.arnField} is required`);
    return [{ action: `states:${request.operation}`, resource: arn }];
  }

  async serve(request: ServiceRequest): Promise<WireResponse> {
    const spec = SFN_OPERATIONS[request.operation];
    if (!spec) throw unsupported('Step Functions', request.operation);
    if (!this.runner) {
      throw new AwsError(
        'UnknownOperationException',
        'the rehearsal was started without a Step Functions runner',
      );
    }
    try {
      const call = this.runner[spec.method] as (input: Record<string, unknown>) => Promise<unknown>;
      return jsonResponse(this.protocol, await call.call(this.runner, request.input));
    } catch (error) {
      // The runner names its errors as Step Functions does (ExecutionAlreadyExists, ExecutionDoesNotExist, ...).
      if (error instanceof Error && error.name !== 'Error' && /^[A-Za-z.]+$/.test(error.name)) {
        throw new AwsError(error.name, error.message);
      }
      throw error;
    }
  }
}
