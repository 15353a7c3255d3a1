import { describe, expect, it } from 'vitest';
import { type CfnTemplate, TemplateResolver, UnresolvableError } from '../../rehearsal/template/resolve';

const template: CfnTemplate = {
  Conditions: {
    InIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    NotIreland: { 'Fn::Not': [{ Condition: 'InIreland' }] },
  },
  Parameters: { BootstrapVersion: { Default: '/cdk-bootstrap/hnb659fds/version' } },
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'explicit-name' } },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'jobs' } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
  },
};
const env = { region: 'eu-west-1', accountId: '111122223333', stackName: 'stack' };

describe('TemplateResolver', () => {
  const r = new TemplateResolver(template, env);

  it('gives unnamed resources deterministic CloudFormation-style names and ARNs', () => {
    const name = r.ref('Fn') as string;
    expect(name).toMatch(/^stack-Fn-[0-9A-F]{12}$/);
    expect(new TemplateResolver(template, env).ref('Fn')).toBe(name);
    expect(r.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe(
      `arn:aws:lambda:eu-west-1:111122223333:function:${name}`,
    );
    expect(r.resolve({ 'Fn::GetAtt': 'Named.Arn' })).toBe(
      'arn:aws:lambda:eu-west-1:111122223333:function:explicit-name',
    );
    expect(r.resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toMatch(
      /^arn:aws:iam::111122223333:role\/stack-Role-/,
    );
    expect(r.resolve({ Ref: 'Machine' })).toBe('arn:aws:states:eu-west-1:111122223333:stateMachine:jobs');
    expect(r.resolve({ Ref: 'Topic' })).toMatch(/^arn:aws:sns:eu-west-1:111122223333:stack-Topic-/);
    expect(r.resolve({ 'Fn::GetAtt': ['Table', 'Arn'] })).toMatch(
      /^arn:aws:dynamodb:eu-west-1:111122223333:table\//,
    );
  });

  // The placeholders in the strings below are Fn::Sub's own syntax, not template literals.
  it('resolves pseudo parameters, Join, Sub, Select, Split and If with the template conditions', () => {
    expect(
      r.resolve({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':states:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
          ],
        ],
      }),
    ).toBe('arn:aws:states:eu-west-1:111122223333');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
    expect(r.resolve({ 'Fn::Sub': 'cdk-${AWS::AccountId}-${AWS::Region}-${Machine}-${!Literal}' })).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
      'cdk-111122223333-eu-west-1-arn:aws:states:eu-west-1:111122223333:stateMachine:jobs-${Literal}',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
    expect(r.resolve({ 'Fn::Sub': ['${A}/${Named.Arn}', { A: { Ref: 'AWS::StackName' } }] })).toBe(
      'stack/arn:aws:lambda:eu-west-1:111122223333:function:explicit-name',
    );
    expect(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(r.resolve({ 'Fn::If': ['InIreland', 'yes', 'no'] })).toBe('yes');
    expect(r.resolve({ 'Fn::If': ['NotIreland', 'yes', { Ref: 'AWS::NoValue' }] })).toBeUndefined();
    expect(r.resolve({ a: 1, b: { 'Fn::If': ['NotIreland', 2, { Ref: 'AWS::NoValue' }] } })).toEqual({
      a: 1,
    });
    expect(r.resolve({ Ref: 'BootstrapVersion' })).toBe('/cdk-bootstrap/hnb659fds/version');
  });

  it('refuses what it cannot resolve, naming it', () => {
    expect(() => r.resolve({ Ref: 'Missing' })).toThrow(UnresolvableError);
    expect(() => r.resolve({ 'Fn::GetAtt': ['Topic', 'Nonsense'] })).toThrow(/Topic\.Nonsense/);
    expect(() => r.resolve({ 'Fn::ImportValue': 'x' })).toThrow(/Fn::ImportValue/);
  });
});
