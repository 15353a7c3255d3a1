import { describe, expect, it } from 'vitest';
import { evaluateIam, explainIam, type PolicyDocument } from '../../rehearsal/aws/iam';

const account = '123456789012';
const table = `arn:aws:dynamodb:eu-west-1:${account}:table/control`;
const principal = `arn:aws:sts::${account}:assumed-role/WorkerRole/rehearsal`;

const tableOnly: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:UpdateItem'], Resource: table }],
};

describe('evaluateIam', () => {
  it('allows what a statement grants and denies what none does', () => {
    expect(evaluateIam([tableOnly], { action: 'dynamodb:UpdateItem', resource: table, principal })).toEqual({
      allowed: true,
      reason: 'allowed',
    });
    expect(evaluateIam([tableOnly], { action: 'dynamodb:PutItem', resource: table, principal })).toEqual({
      allowed: false,
      reason: 'no policy allows it',
    });
  });

  it('denies a Query on a GSI when the policy names only the table, as AWS does', () => {
    const index = `${table}/index/byStatus`;
    expect(evaluateIam([tableOnly], { action: 'dynamodb:Query', resource: index, principal }).allowed).toBe(
      false,
    );
    const withIndexes: PolicyDocument = {
      Statement: [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: [table, `${table}/index/*`] }],
    };
    expect(evaluateIam([withIndexes], { action: 'dynamodb:Query', resource: index, principal }).allowed).toBe(
      true,
    );
  });

  it('lets an explicit deny in any policy win over an allow in another', () => {
    const denyUpdates: PolicyDocument = {
      Statement: [{ Sid: 'NoUpdates', Effect: 'Deny', Action: 'dynamodb:UpdateItem', Resource: '*' }],
    };
    expect(
      evaluateIam([tableOnly, denyUpdates], { action: 'dynamodb:UpdateItem', resource: table, principal }),
    ).toEqual({
      allowed: false,
      reason: 'an explicit deny applies',
    });
  });

  it('evaluates conditions against the request context', () => {
    const tlsOnly: PolicyDocument = {
      Statement: [
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ],
    };
    const secret = `arn:aws:secretsmanager:eu-west-1:${account}:secret:db-AbCdEf`;
    const request = { action: 'secretsmanager:GetSecretValue', resource: secret, principal };
    expect(evaluateIam([tlsOnly], { ...request, context: { 'aws:SecureTransport': 'true' } }).allowed).toBe(
      true,
    );
    expect(evaluateIam([tlsOnly], { ...request, context: { 'aws:SecureTransport': 'false' } }).allowed).toBe(
      false,
    );
  });

  it("applies a topic's resource policy: its deny refuses a publish the identity policy allows", () => {
    const topic = `arn:aws:sns:eu-west-1:${account}:runs`;
    const publisher: PolicyDocument = {
      Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: topic }],
    };
    const enforceTls: PolicyDocument = {
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: topic,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    const request = { action: 'sns:Publish', resource: topic, principal, resourcePolicy: enforceTls };
    expect(evaluateIam([publisher], { ...request, context: { 'aws:SecureTransport': 'true' } }).allowed).toBe(
      true,
    );
    expect(evaluateIam([publisher], { ...request, context: { 'aws:SecureTransport': 'false' } })).toEqual({
      allowed: false,
      reason: 'an explicit deny applies',
    });
  });
});

describe('explainIam', () => {
  it('names the statement that denied a request', async () => {
    const denyUpdates: PolicyDocument = {
      Statement: [{ Sid: 'NoUpdates', Effect: 'Deny', Action: 'dynamodb:UpdateItem', Resource: '*' }],
    };
    await expect(
      explainIam([tableOnly, denyUpdates], { action: 'dynamodb:UpdateItem', resource: table, principal }),
    ).resolves.toEqual({
      allowed: false,
      reason: 'an explicit deny in the identity-based policy (NoUpdates)',
    });
    await expect(
      explainIam([tableOnly], { action: 'dynamodb:DeleteItem', resource: table, principal }),
    ).resolves.toEqual({
      allowed: false,
      reason: 'no identity-based policy allows it',
    });
  });

  it('refuses an action IAM does not know, so a mistaken mapping cannot pass unnoticed', async () => {
    const decision = await explainIam([{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }], {
      action: 'dynamodb:UpdateItems',
      resource: table,
      principal,
    });
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/^the request cannot be evaluated: /);
  });

  it('agrees with evaluateIam on the ARNs the local endpoint checks', async () => {
    const everything: PolicyDocument = {
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:*',
            'secretsmanager:GetSecretValue',
            'cloudwatch:DescribeAlarms',
            'sns:Publish',
            'states:StartExecution',
            'states:StopExecution',
            'states:DescribeExecution',
          ],
          Resource: '*',
        },
      ],
    };
    const requests = [
      ['dynamodb:UpdateItem', table],
      ['dynamodb:Query', `${table}/index/byStatus`],
      ['dynamodb:ConditionCheckItem', table],
      ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${account}:secret:db-AbCdEf`],
      ['cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:eu-west-1:${account}:alarm:db-cpu`],
      ['cloudwatch:DescribeAlarms', '*'],
      ['sns:Publish', `arn:aws:sns:eu-west-1:${account}:runs`],
      ['states:StartExecution', `arn:aws:states:eu-west-1:${account}:stateMachine:lowtide`],
      ['states:StopExecution', `arn:aws:states:eu-west-1:${account}:execution:lowtide:run-1`],
      ['states:DescribeExecution', `arn:aws:states:eu-west-1:${account}:execution:lowtide:run-1`],
    ];
    for (const [action, resource] of requests) {
      const explained = await explainIam([everything], { action, resource, principal });
      expect({ action, resource, ...explained }).toEqual({
        action,
        resource,
        allowed: true,
        reason: 'allowed',
      });
      expect(evaluateIam([everything], { action, resource, principal }).allowed).toBe(true);
    }
  });
});
