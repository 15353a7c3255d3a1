import { toRuntimeConnections } from '../../config/connection';
import type { LowtideConfig } from '../../config/define-config';
import { lambdaConnections } from '../connections';
import type { HandlerDeps } from '../deps';
import { awsCredentialSources } from './credentials';
import { createControlDeps, type Env, type Telemetry } from './deps';

/**
 * Production deps of the functions that touch a database: the control deps plus the bundled
 * config's connections, with Secrets Manager or RDS IAM auth. Kept apart from ./deps so the other
 * functions' bundles carry no database driver.
 */
export function createLambdaDeps(
  config: LowtideConfig,
  telemetry: Telemetry,
  env: Env = process.env,
): HandlerDeps {
  return {
    ...createControlDeps(config, telemetry, env),
    connections: lambdaConnections(toRuntimeConnections(config), awsCredentialSources(env.AWS_REGION)),
  };
}
