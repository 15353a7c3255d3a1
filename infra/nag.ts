import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on a construct (and what it contains). Pass the exact finding,
 * e.g. `AwsSolutions-IAM5[Resource::*]`, never a bare rule that would hide future findings, and
 * say why this resource may deviate.
 */
export function acknowledge(scope: IConstruct, finding: `AwsSolutions-${string}`, reason: string): void {
  Validations.of(scope).acknowledge({ id: finding, reason });
}
