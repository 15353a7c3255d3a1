import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { featureFlagsOf, type LowtideConfig } from '../src/config/define-config';

/**
 * The configuration-profile ARN of every feature flag that gates a job of the deployment (each
 * job's own and the deployment's), once each, in the form AppConfig authorizes its data API on:
 * `arn:<partition>:appconfig:<region>:<account>:application/<app>/environment/<env>/configuration/<profile>`
 * ("Actions, resources, and condition keys for AWS AppConfig", Service Authorization Reference).
 */
export function featureFlagArns(stack: Stack, config: LowtideConfig): string[] {
  const arns = config.jobs.flatMap(({ job }) =>
    featureFlagsOf(config, job).map((f) =>
      stack.formatArn({
        service: 'appconfig',
        resource: 'application',
        resourceName: `${f.application}/environment/${f.environment}/configuration/${f.profile}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    ),
  );
  return [...new Set(arns)];
}
