import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { LowtideConfig } from '../src/config';
import { LowtideStack, type LowtideStackProps } from './lowtide-stack';

export interface BuildAppOptions extends Omit<LowtideStackProps, 'config'> {
  readonly app?: AppProps;
  /** The construct id of the stack. Default: the config's name. */
  readonly stackId?: string;
}

/**
 * The CDK app for a deployment config, with cdk-nag's AwsSolutions checks as a validation plugin:
 * synth fails on any finding that is not acknowledged in the code.
 */
export function buildApp(
  config: LowtideConfig,
  options: BuildAppOptions = {},
): { app: App; stack: LowtideStack } {
  const { app: appProps, stackId, ...stackProps } = options;
  const app = new App(appProps);
  const stack = new LowtideStack(app, stackId ?? config.name, {
    stackName: config.name,
    ...stackProps,
    config,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
