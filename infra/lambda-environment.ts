import { Token } from 'aws-cdk-lib';

/**
 * What Lambda allows for all of a function's environment variables together, keys and values:
 * 4 KB ("Lambda quotas", AWS Lambda Developer Guide). A function over it fails to deploy.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * A value only known at deploy time counts as the longest it can be: the only one the stack sets is
 * the control table's name, and a DynamoDB table name has at most 255 characters.
 */
const UNRESOLVED_VALUE_BYTES = 255;

/** The size Lambda counts: every key and value, in UTF-8 bytes. */
export function environmentBytes(env: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(env)) {
    bytes += Buffer.byteLength(key, 'utf8');
    bytes += Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value, 'utf8');
  }
  return bytes;
}

/** Refuses at synth an environment Lambda would refuse at deploy, with the figure and the biggest variables. */
export function checkEnvironmentSize(functionName: string, env: Readonly<Record<string, string>>): void {
  const bytes = environmentBytes(env);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return;
  const biggest = Object.entries(env)
    .map(([key, value]) => [key, environmentBytes({ [key]: value })] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([key, size]) => `${key} ${size} B`)
    .join(', ');
  throw new Error(
    `function ${functionName}: its environment takes ${bytes} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit for all variables together (largest: ${biggest}); move the data into the bundled config`,
  );
}
