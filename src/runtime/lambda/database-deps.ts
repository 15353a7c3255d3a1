import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { toRuntimeConnections } from '../../config/connection';
import type { LowtideConfig } from '../../config/define-config';
import type { CredentialSources } from '../../db/target';
import { appConfigFlagReader } from '../../health/appconfig-reader';
import { cloudWatchFreeStorage } from '../../health/free-storage';
import { lambdaConnections } from '../connections';
import type { HandlerDeps } from '../deps';
import { createControlDeps, type Env, type Telemetry } from './deps';

/**
 * Production deps of the functions that touch a database: the control deps plus the bundled
 * config's connections, with Secrets Manager or RDS IAM auth, the AppConfig feature flags and the
 * connections' free storage (CloudWatch). Kept apart from ./deps so the other functions' bundles
 * carry no database driver and no AppConfig client.
 */
export function createLambdaDeps(
  config: LowtideConfig,
  telemetry: Telemetry,
  env: Env = process.env,
): HandlerDeps {
  const region = env.AWS_REGION;
  const cloudWatch = new CloudWatchClient({ region });
  return {
    ...createControlDeps(config, telemetry, env),
    connections: lambdaConnections(toRuntimeConnections(config), awsCredentialSources(region)),
    // Built once per container, so the session token and the cached flags outlive one invocation.
    flags: appConfigFlagReader(new AppConfigDataClient({ region })),
    freeStorageFor: (spec) => {
      const storage = config.connections[spec.database]?.storage;
      return storage ? cloudWatchFreeStorage(cloudWatch, storage) : undefined;
    },
  };
}

/**
 * Secrets are read once per container and again after this long, or at once when the database
 * refused the cached one (a rotation), so a rotation is picked up.
 */
const SECRET_TTL_MS = 10 * 60_000;

/** Secrets Manager and RDS IAM auth, as the Lambda role allows. Secret values stay in memory only. */
export function awsCredentialSources(region: string | undefined): CredentialSources {
  const secrets = new SecretsManagerClient({ region });
  const cache = new Map<string, { value: Promise<string>; until: number }>();
  return {
    secretString(secretArn, options) {
      const cached = cache.get(secretArn);
      if (cached && cached.until > Date.now() && !options?.refresh) return cached.value;
      const value = secrets.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
        if (!out.SecretString)
          throw new Error(
            `secret ${secretArn} has no string value: store the RDS JSON { username, password }`,
          );
        return out.SecretString;
      });
      cache.set(secretArn, { value, until: Date.now() + SECRET_TTL_MS });
      value.catch(() => cache.delete(secretArn));
      return value;
    },
    iamToken({ host, port, user }) {
      if (!region)
        throw new Error('AWS_REGION is not set: RDS IAM authentication needs the region of the database');
      return new Signer({ hostname: host, port, username: user, region }).getAuthToken();
    },
  };
}
