import { explainIam, type IamDecision, type PolicyDocument } from '../aws/iam';
import { isPlainObject } from './pattern';

const EVENTS_PRINCIPAL = 'events.amazonaws.com';

/** An AWS::Lambda::Permission's Properties, resolved. */
export interface LambdaPermission {
  readonly Action: string;
  readonly FunctionName: string;
  readonly Principal: string;
  readonly SourceArn?: string;
  readonly SourceAccount?: string;
}

/**
 * The resource-based policy Lambda builds for a function from its permissions: each
 * AWS::Lambda::Permission is one statement for its principal, with SourceArn and SourceAccount as
 * conditions ("Using resource-based policies in Lambda", AWS Lambda Developer Guide).
 */
export function lambdaResourcePolicy(
  permissions: readonly LambdaPermission[],
  functionArn: string,
): PolicyDocument {
  const functionName = functionArn.split(':')[6];
  const statements = permissions
    .filter((p) => p.FunctionName === functionArn || p.FunctionName === functionName)
    .map((p, i) => {
      const condition: Record<string, Record<string, string>> = {};
      if (p.SourceArn) condition.ArnLike = { 'AWS:SourceArn': p.SourceArn };
      if (p.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': p.SourceAccount };
      return {
        Sid: `permission-${i + 1}`,
        Effect: 'Allow',
        Principal: p.Principal.endsWith('.amazonaws.com') ? { Service: p.Principal } : { AWS: p.Principal },
        Action: p.Action,
        Resource: functionArn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      };
    });
  return { Version: '2012-10-17', Statement: statements };
}

/** The template's AWS::Lambda::Permission resources, resolved by the caller's resolver. */
export function lambdaPermissionsFromTemplate(
  template: {
    readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
  },
  resolve: (value: unknown) => unknown,
): LambdaPermission[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Permission')
    .map((r) => resolve(r.Properties) as LambdaPermission);
}

export interface EventBridgeDelivery {
  readonly targetArn: string;
  readonly ruleArn: string;
  /** The target's resource policy: a function's (lambdaResourcePolicy), a topic's or a queue's. */
  readonly resourcePolicy?: PolicyDocument;
  /** The key an SNS topic or SQS queue is encrypted with: EventBridge must be allowed to use it. */
  readonly kmsKey?: { readonly arn: string; readonly policy: PolicyDocument };
}

const ACTIONS: Readonly<Record<string, string>> = {
  lambda: 'lambda:InvokeFunction',
  sns: 'sns:Publish',
  sqs: 'sqs:SendMessage',
};

/**
 * Whether EventBridge, as the service principal events.amazonaws.com acting for a rule, may
 * deliver to a Lambda, SNS or SQS target (also: send to a rule's dead-letter queue). A target
 * with a RoleArn is the role's identity policy instead; evaluate that as the role. For an
 * encrypted topic or queue, EventBridge also needs kms:GenerateDataKey and kms:Decrypt on the key
 * ("Using resource-based policies for Amazon EventBridge", Amazon EventBridge User Guide).
 */
export async function mayEventBridgeDeliver(delivery: EventBridgeDelivery): Promise<IamDecision> {
  const service = delivery.targetArn.split(':')[2] ?? '';
  const action = ACTIONS[service];
  if (!action)
    return { allowed: false, reason: `targets of ${service || delivery.targetArn} are not evaluated here` };
  const account = delivery.ruleArn.split(':')[4] ?? '';
  const context = {
    'aws:SourceArn': delivery.ruleArn,
    'aws:SourceAccount': account,
    'aws:SecureTransport': 'true',
  };
  const checks: Array<{ action: string; resource: string; policy?: PolicyDocument }> = [
    { action, resource: delivery.targetArn, policy: delivery.resourcePolicy },
  ];
  if (delivery.kmsKey) {
    for (const kmsAction of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      checks.push({ action: kmsAction, resource: delivery.kmsKey.arn, policy: delivery.kmsKey.policy });
    }
  }
  for (const check of checks) {
    if (!check.policy || !isPlainObject(check.policy)) {
      return { allowed: false, reason: `${check.resource} has no resource policy for ${EVENTS_PRINCIPAL}` };
    }
    const decision = await explainIam([], {
      action: check.action,
      resource: check.resource,
      principal: EVENTS_PRINCIPAL,
      resourcePolicy: check.policy,
      context,
    });
    if (!decision.allowed)
      return { allowed: false, reason: `${check.action} on ${check.resource}: ${decision.reason}` };
  }
  return { allowed: true, reason: 'allowed' };
}

/**
 * Whether a service principal may assume a role under its trust policy, with the aws:SourceArn and
 * aws:SourceAccount the service sends. For EventBridge Scheduler the source is the schedule group
 * ("Setting up the execution role", EventBridge Scheduler User Guide).
 */
export async function mayServiceAssumeRole(options: {
  readonly roleArn: string;
  readonly trustPolicy: PolicyDocument;
  readonly service: string;
  readonly sourceArn: string;
  readonly sourceAccount: string;
}): Promise<IamDecision> {
  return explainIam([], {
    action: 'sts:AssumeRole',
    resource: options.roleArn,
    principal: options.service,
    resourcePolicy: options.trustPolicy,
    context: { 'aws:SourceArn': options.sourceArn, 'aws:SourceAccount': options.sourceAccount },
  });
}
