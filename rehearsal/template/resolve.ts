import { createHash } from 'node:crypto';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Parameters?: Readonly<Record<string, { Default?: unknown }>>;
}

export interface FakeEnvironment {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
}

/** Thrown for an intrinsic or attribute the rehearsal does not know how to resolve. */
export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

/**
 * Resolves CloudFormation intrinsics the way a deployment into one fake account and region would:
 * pseudo parameters, Ref and Fn::GetAtt to deterministic physical names and ARNs (stack name,
 * logical id and a short hash, as CloudFormation names what the template leaves unnamed),
 * Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If with the template's Conditions, Fn::Equals,
 * Fn::And, Fn::Or, Fn::Not. Attribute formats follow the "Return values" section of each
 * resource type's page in the AWS CloudFormation User Guide.
 */
export class TemplateResolver {
  private readonly conditions = new Map<string, boolean>();

  constructor(
    readonly template: CfnTemplate,
    readonly env: FakeEnvironment,
  ) {}

  /** The value with every intrinsic resolved; a property or value that is AWS::NoValue is left out. */
  resolve(value: unknown): unknown {
    const resolved = this.inner(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  private inner(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.inner(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref') return this.ref(String(arg));
      if (key.startsWith('Fn::') || key === 'Condition') return this.intrinsic(key, arg);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of entries) {
      const resolved = this.inner(v);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  resolveString(value: unknown, what: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string')
      throw new UnresolvableError(`${what} resolved to ${JSON.stringify(resolved)}, not a string`);
    return resolved;
  }

  /** Whether a resource is deployed (its Condition, if any, holds). */
  deploys(resource: CfnResource): boolean {
    return resource.Condition === undefined || this.condition(resource.Condition);
  }

  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new UnresolvableError(`condition ${name} is not in the template`);
    const value = this.truth(definition);
    this.conditions.set(name, value);
    return value;
  }

  /** The physical name CloudFormation would give a resource the template does not name. */
  physicalName(logicalId: string, maxLength = 64): string {
    const suffix = createHash('sha256')
      .update(`${this.env.stackName}/${logicalId}`)
      .digest('hex')
      .slice(0, 12)
      .toUpperCase();
    const base = `${this.env.stackName}-${logicalId}`.slice(0, maxLength - suffix.length - 1);
    return `${base}-${suffix}`;
  }

  /** The name a resource is deployed under: its own name property, or a generated one. */
  nameOf(logicalId: string): string {
    const resource = this.resourceOf(logicalId);
    const property = NAME_PROPERTIES[resource.Type];
    const named = property ? resource.Properties?.[property] : undefined;
    if (named !== undefined) return this.resolveString(named, `${logicalId}.${property}`);
    return this.physicalName(logicalId, resource.Type === 'AWS::Lambda::Function' ? 64 : 63);
  }

  arn(service: string, resource: string, options: { region?: boolean; account?: boolean } = {}): string {
    const region = options.region === false ? '' : this.env.region;
    const account = options.account === false ? '' : this.env.accountId;
    return `arn:aws:${service}:${region}:${account}:${resource}`;
  }

  ref(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.env.stackName;
      case 'AWS::StackId':
        return this.arn('cloudformation', `stack/${this.env.stackName}/00000000-0000-0000-0000-000000000000`);
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) throw new UnresolvableError(`parameter ${name} has no default`);
      return parameter.Default;
    }
    const resource = this.resourceOf(name);
    switch (resource.Type) {
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SNS::Topic':
      case 'AWS::Scheduler::Schedule':
        return this.getAtt(name, 'Arn');
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.env.region}.amazonaws.com/${this.env.accountId}/${this.nameOf(name)}`;
      case 'AWS::KMS::Key':
        return uuidFrom(`${this.env.stackName}/${name}`);
      case 'AWS::EC2::SecurityGroup':
        return `sg-${hex(name, 17)}`;
      case 'AWS::EC2::VPC':
        return `vpc-${hex(name, 17)}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${hex(name, 17)}`;
      default:
        return this.nameOf(name);
    }
  }

  getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.resourceOf(logicalId);
    const name = () => this.nameOf(logicalId);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::Lambda::Function.Arn':
        return this.arn('lambda', `function:${name()}`);
      case 'AWS::IAM::Role.Arn':
        return this.arn('iam', `role/${name()}`, { region: false });
      case 'AWS::IAM::Role.RoleId':
        return `AROA${hex(logicalId, 17).toUpperCase()}`;
      case 'AWS::DynamoDB::Table.Arn':
        return this.arn('dynamodb', `table/${name()}`);
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.arn('states', `stateMachine:${name()}`);
      case 'AWS::StepFunctions::StateMachine.Name':
        return name();
      case 'AWS::SNS::Topic.TopicArn':
      case 'AWS::SNS::Topic.Arn':
        return this.arn('sns', name());
      case 'AWS::SNS::Topic.TopicName':
        return name();
      case 'AWS::SQS::Queue.Arn':
        return this.arn('sqs', name());
      case 'AWS::SQS::Queue.QueueName':
        return name();
      case 'AWS::SQS::Queue.QueueUrl':
        return this.ref(logicalId);
      case 'AWS::Logs::LogGroup.Arn':
        return this.arn('logs', `log-group:${name()}:*`);
      case 'AWS::Events::Rule.Arn':
        return this.arn('events', `rule/${name()}`);
      case 'AWS::KMS::Key.Arn':
        return this.arn('kms', `key/${this.ref(logicalId)}`);
      case 'AWS::KMS::Key.KeyId':
        return this.ref(logicalId);
      case 'AWS::Scheduler::Schedule.Arn': {
        const group = resource.Properties?.GroupName;
        return this.arn(
          'scheduler',
          `schedule/${group ? this.resolveString(group, 'GroupName') : 'default'}/${name()}`,
        );
      }
      case 'AWS::Scheduler::ScheduleGroup.Arn':
        return this.arn('scheduler', `schedule-group/${name()}`);
      case 'AWS::CloudWatch::Alarm.Arn':
        return this.arn('cloudwatch', `alarm:${name()}`);
      case 'AWS::EC2::SecurityGroup.GroupId':
        return this.ref(logicalId);
    }
    throw new UnresolvableError(
      `Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not known to the rehearsal; add it to rehearsal/template/resolve.ts`,
    );
  }

  private resourceOf(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource)
      throw new UnresolvableError(
        `${logicalId} is not a parameter, pseudo parameter or resource of the template`,
      );
    return resource;
  }

  private intrinsic(key: string, arg: unknown): unknown {
    switch (key) {
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
        return this.getAtt(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown];
        const resolved = this.inner(parts);
        if (!Array.isArray(resolved)) throw new UnresolvableError('Fn::Join needs a list');
        return resolved.map((part) => this.scalar(part, 'Fn::Join')).join(separator);
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = this.inner(list);
        const i = Number(this.inner(index));
        if (!Array.isArray(items) || !(i >= 0 && i < items.length))
          throw new UnresolvableError(`Fn::Select ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return this.resolveString(source, 'Fn::Split').split(separator);
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.inner(this.condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
      case 'Condition':
        return this.truth({ [key]: arg });
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(arg, 'Fn::Base64')).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.env.region}${zone}`);
    }
    throw new UnresolvableError(`${key} is not supported by the rehearsal's resolver`);
  }

  private truth(definition: unknown): boolean {
    const [key, arg] = Object.entries(definition as Record<string, unknown>)[0] ?? [];
    switch (key) {
      case 'Condition':
        return this.condition(String(arg));
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((v) => this.inner(v));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::And':
        return (arg as unknown[]).every((c) => this.truth(c));
      case 'Fn::Or':
        return (arg as unknown[]).some((c) => this.truth(c));
      case 'Fn::Not':
        return !this.truth((arg as unknown[])[0]);
    }
    throw new UnresolvableError(`condition ${JSON.stringify(definition)} is not a condition function`);
  }

  private sub(arg: unknown): string {
    const [text, variables] =
      typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    return text.replace(/\$\{([^}]+)\}/g, (whole, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      if (expression in variables) return this.scalar(this.inner(variables[expression]), 'Fn::Sub');
      const [logicalId, attribute] = expression.split(/\.(.*)/s);
      if (attribute) return this.scalar(this.getAtt(logicalId!, attribute), 'Fn::Sub');
      return this.scalar(this.ref(expression), `Fn::Sub ${whole}`);
    });
  }

  private scalar(value: unknown, what: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    throw new UnresolvableError(`${what}: ${JSON.stringify(value)} is not a string`);
  }
}

/** AWS::NoValue: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** The property that names a resource, where the template may set it. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::IAM::Policy': 'PolicyName',
};

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
