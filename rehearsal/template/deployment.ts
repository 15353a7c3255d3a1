import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableDefinition } from '../aws/dynamodb';
import type { PolicyDocument } from '../aws/iam';
import type { ScheduleResource } from '../events/scheduler';
import type { RuleTarget } from '../events/targets';
import { type CfnResource, type CfnTemplate, type FakeEnvironment, TemplateResolver } from './resolve';

export interface DeployedFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** The asset folder inside the cloud assembly (copy it before running it). */
  readonly assetPath: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly roleLogicalId: string;
  readonly logGroupName?: string;
}

export interface DeployedStateMachine {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** DefinitionString with every intrinsic and DefinitionSubstitution resolved. */
  readonly definition: string;
  readonly roleLogicalId: string;
}

export interface DeployedRule {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly enabled: boolean;
  readonly eventPattern: Record<string, unknown>;
  readonly targets: readonly RuleTarget[];
}

export interface DeployedSchedule {
  readonly logicalId: string;
  readonly name: string;
  readonly group: string;
  readonly arn: string;
  readonly enabled: boolean;
  readonly expression: string;
  readonly timeZone?: string;
  readonly target: { arn: string; input?: string; roleLogicalId: string };
  /** The resolved resource, as rehearsal/events/scheduler fires it. */
  readonly resource: ScheduleResource;
}

export interface DeployedTopic {
  readonly resourcePolicy?: PolicyDocument;
  readonly kmsKey?: { readonly arn: string; readonly policy: PolicyDocument };
}

/** A resource-based policy statement on a function (AWS::Lambda::Permission). */
export interface LambdaPermission {
  readonly functionArn: string;
  readonly principal: string;
  readonly sourceArn?: string;
}

/** Everything the rehearsal deploys, read from the synthesized template with intrinsics resolved. */
export interface Deployment {
  readonly env: FakeEnvironment;
  readonly cdkOut: string;
  readonly functions: readonly DeployedFunction[];
  /** Role logical id -> its identity policies. */
  readonly roles: Readonly<Record<string, readonly PolicyDocument[]>>;
  /** Role logical id -> the service principals its trust policy names. */
  readonly trustedServices: Readonly<Record<string, readonly string[]>>;
  readonly tables: readonly TableDefinition[];
  readonly stateMachines: readonly DeployedStateMachine[];
  readonly rules: readonly DeployedRule[];
  readonly schedules: readonly DeployedSchedule[];
  /** SNS topic ARN -> its topic policy and, for an encrypted topic, its key and key policy. */
  readonly topics: Readonly<Record<string, DeployedTopic>>;
  /** Role logical id -> its trust policy. */
  readonly trustPolicies: Readonly<Record<string, PolicyDocument>>;
  readonly lambdaPermissions: readonly LambdaPermission[];
  readonly alarmNames: readonly string[];
}

function stackTemplatePath(cdkOut: string): { path: string; stackName: string } {
  const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string; stackName?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in ${cdkOut}, found ${stacks.length}`);
  const [id, stack] = stacks[0]!;
  return {
    path: join(cdkOut, stack.properties!.templateFile!),
    stackName: stack.properties?.stackName ?? id,
  };
}

/** Asset object key (e.g. "<hash>.zip") -> the folder the cloud assembly holds it in. */
function assetManifest(cdkOut: string): Map<string, string> {
  const folders = new Map<string, string>();
  for (const file of readdirSync(cdkOut).filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(readFileSync(join(cdkOut, file), 'utf8')) as {
      files?: Record<
        string,
        { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }
      >;
    };
    for (const asset of Object.values(manifest.files ?? {})) {
      for (const destination of Object.values(asset.destinations)) {
        folders.set(destination.objectKey, join(cdkOut, asset.source.path));
      }
    }
  }
  return folders;
}

/** The asset folder a function's Code names (S3Key, as the asset manifest uploads it). */
function assetFolder(cdkOut: string, assets: Map<string, string>, code: unknown, id: string): string {
  const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
  const folder = typeof key === 'string' ? assets.get(key) : undefined;
  if (!folder)
    throw new Error(
      `${id}'s Code is not a file asset of ${cdkOut} (inline code and images are not rehearsed)`,
    );
  return folder;
}

/** The logical id a property points at with Fn::GetAtt [id, Arn] or Ref id. */
function referencedId(value: unknown, what: string): string {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  const id = v?.['Fn::GetAtt']?.[0] ?? v?.Ref;
  if (!id)
    throw new Error(`${what} is not a reference to a resource of the template: ${JSON.stringify(value)}`);
  return id;
}

function byType(template: CfnTemplate, resolver: TemplateResolver, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type && resolver.deploys(r));
}

/** Reads a cloud assembly as a deployment into the fake account and region would create it. */
export function readDeployment(cdkOut: string, env: Omit<FakeEnvironment, 'stackName'>): Deployment {
  const { path, stackName } = stackTemplatePath(cdkOut);
  const assets = assetManifest(cdkOut);
  const template = JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
  const fake: FakeEnvironment = { ...env, stackName };
  const r = new TemplateResolver(template, fake);
  const props = (resource: CfnResource) => resource.Properties ?? {};

  const roles: Record<string, PolicyDocument[]> = {};
  const trustedServices: Record<string, string[]> = {};
  const trustPolicies: Record<string, PolicyDocument> = {};
  for (const [id, role] of byType(template, r, 'AWS::IAM::Role')) {
    const p = props(role);
    if (p.ManagedPolicyArns !== undefined) {
      throw new Error(
        `${id} attaches managed policies, whose documents the rehearsal does not have: inline them`,
      );
    }
    roles[id] = ((p.Policies ?? []) as { PolicyDocument: unknown }[]).map(
      (policy) => r.resolve(policy.PolicyDocument) as PolicyDocument,
    );
    const trust = r.resolve(p.AssumeRolePolicyDocument) as {
      Statement?: { Principal?: { Service?: unknown } }[];
    };
    trustPolicies[id] = trust as PolicyDocument;
    trustedServices[id] = (trust?.Statement ?? []).flatMap((s) =>
      [s.Principal?.Service ?? []].flat().map(String),
    );
  }
  for (const [id, policy] of byType(template, r, 'AWS::IAM::Policy')) {
    const p = props(policy);
    for (const role of (p.Roles ?? []) as unknown[]) {
      const roleId = referencedId(role, `${id}.Roles`);
      roles[roleId] = [...(roles[roleId] ?? []), r.resolve(p.PolicyDocument) as PolicyDocument];
    }
  }

  const logGroupName = (config: unknown) => {
    const group = (config as { LogGroup?: unknown } | undefined)?.LogGroup;
    return group === undefined ? undefined : r.resolveString(group, 'LoggingConfig.LogGroup');
  };
  const functions = byType(template, r, 'AWS::Lambda::Function').map(([id, fn]): DeployedFunction => {
    const p = props(fn);
    const asset = assetFolder(cdkOut, assets, p.Code, id);
    const variables = (r.resolve((p.Environment as { Variables?: unknown } | undefined)?.Variables) ??
      {}) as Record<string, unknown>;
    return {
      logicalId: id,
      functionName: r.nameOf(id),
      arn: String(r.getAtt(id, 'Arn')),
      assetPath: asset,
      handler: r.resolveString(p.Handler, `${id}.Handler`),
      runtime: r.resolveString(p.Runtime, `${id}.Runtime`),
      // "AWS::Lambda::Function" (CloudFormation User Guide): Timeout defaults to 3 s, MemorySize to 128 MB.
      timeoutSeconds: Number(r.resolve(p.Timeout ?? 3)),
      memoryMb: Number(r.resolve(p.MemorySize ?? 128)),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      roleLogicalId: referencedId(p.Role, `${id}.Role`),
      logGroupName: logGroupName(p.LoggingConfig),
    };
  });

  const tables = byType(template, r, 'AWS::DynamoDB::Table').map(([id, table]): TableDefinition => {
    const p = r.resolve(props(table)) as Record<string, unknown>;
    return {
      TableName: r.nameOf(id),
      KeySchema: p.KeySchema as unknown[],
      AttributeDefinitions: p.AttributeDefinitions as unknown[],
      GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as unknown[] | undefined,
      BillingMode: p.BillingMode as string | undefined,
    };
  });

  const stateMachines = byType(template, r, 'AWS::StepFunctions::StateMachine').map(
    ([id, sm]): DeployedStateMachine => {
      const p = props(sm);
      if (p.DefinitionString === undefined)
        throw new Error(`${id} has no DefinitionString (Definition or DefinitionS3Location are not read)`);
      const substitutions = (r.resolve(p.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
      const raw = r.resolveString(p.DefinitionString, `${id}.DefinitionString`);
      // "AWS::StepFunctions::StateMachine" DefinitionSubstitutions: ${name} placeholders, replaced at deployment.
      const definition = raw.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
        name in substitutions ? String(substitutions[name]) : whole,
      );
      return {
        logicalId: id,
        name: r.nameOf(id),
        arn: String(r.getAtt(id, 'Arn')),
        definition,
        roleLogicalId: referencedId(p.RoleArn, `${id}.RoleArn`),
      };
    },
  );

  const rules = byType(template, r, 'AWS::Events::Rule').map(([id, rule]): DeployedRule => {
    const p = props(rule);
    const targets = (r.resolve(p.Targets ?? []) as RuleTarget[]).map((target) => ({ ...target }));
    return {
      logicalId: id,
      name: r.nameOf(id),
      arn: String(r.getAtt(id, 'Arn')),
      enabled: (p.State ?? 'ENABLED') === 'ENABLED',
      eventPattern: r.resolve(p.EventPattern) as Record<string, unknown>,
      targets,
    };
  });

  const schedules = byType(template, r, 'AWS::Scheduler::Schedule').map(
    ([id, schedule]): DeployedSchedule => {
      const p = props(schedule);
      const target = p.Target as Record<string, unknown>;
      return {
        logicalId: id,
        name: r.nameOf(id),
        group: p.GroupName ? r.resolveString(p.GroupName, `${id}.GroupName`) : 'default',
        arn: String(r.getAtt(id, 'Arn')),
        enabled: (p.State ?? 'ENABLED') === 'ENABLED',
        expression: r.resolveString(p.ScheduleExpression, `${id}.ScheduleExpression`),
        ...(p.ScheduleExpressionTimezone
          ? { timeZone: r.resolveString(p.ScheduleExpressionTimezone, 'timezone') }
          : {}),
        target: {
          arn: r.resolveString(target.Arn, `${id}.Target.Arn`),
          ...(target.Input !== undefined
            ? { input: r.resolveString(target.Input, `${id}.Target.Input`) }
            : {}),
          roleLogicalId: referencedId(target.RoleArn, `${id}.Target.RoleArn`),
        },
        resource: {
          ...(r.resolve(p) as object),
          logicalId: id,
          arn: String(r.getAtt(id, 'Arn')),
        } as ScheduleResource,
      };
    },
  );

  const keys = new Map<string, PolicyDocument>();
  for (const [id, key] of byType(template, r, 'AWS::KMS::Key')) {
    keys.set(String(r.getAtt(id, 'Arn')), r.resolve(props(key).KeyPolicy) as PolicyDocument);
  }
  const topics: Record<string, DeployedTopic> = {};
  for (const [id, topic] of byType(template, r, 'AWS::SNS::Topic')) {
    const keyArn =
      props(topic).KmsMasterKeyId === undefined
        ? undefined
        : r.resolveString(props(topic).KmsMasterKeyId, `${id}.KmsMasterKeyId`);
    const policy = keyArn ? keys.get(keyArn) : undefined;
    topics[String(r.ref(id))] = keyArn && policy ? { kmsKey: { arn: keyArn, policy } } : {};
  }
  for (const [id, policy] of byType(template, r, 'AWS::SNS::TopicPolicy')) {
    const p = props(policy);
    for (const topic of r.resolve(p.Topics) as string[]) {
      if (!(topic in topics))
        throw new Error(`${id} names topic ${topic}, which the template does not create`);
      topics[topic] = { ...topics[topic], resourcePolicy: r.resolve(p.PolicyDocument) as PolicyDocument };
    }
  }

  const lambdaPermissions = byType(template, r, 'AWS::Lambda::Permission').map(
    ([id, permission]): LambdaPermission => {
      const p = r.resolve(props(permission)) as Record<string, unknown>;
      if (p.Action !== 'lambda:InvokeFunction')
        throw new Error(`${id} grants ${String(p.Action)}, which the rehearsal does not model`);
      const fn = String(p.FunctionName);
      return {
        functionArn: fn.startsWith('arn:') ? fn : String(r.getAtt(fn, 'Arn')),
        principal: String(p.Principal),
        ...(p.SourceArn !== undefined ? { sourceArn: String(p.SourceArn) } : {}),
      };
    },
  );

  const alarmNames = byType(template, r, 'AWS::CloudWatch::Alarm').map(([id]) => r.nameOf(id));

  return {
    env: fake,
    cdkOut,
    functions,
    roles,
    trustedServices,
    tables,
    stateMachines,
    rules,
    schedules,
    topics,
    trustPolicies,
    lambdaPermissions,
    alarmNames,
  };
}
