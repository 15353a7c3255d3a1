import { z } from 'zod';
import { defaultPort, isSecretAuth } from './connection';
import type { LowtideConfig } from './define-config';
import { replicaLagAlarmName } from './names';

/** The environment variable that carries the connections into the Lambdas. */
export const CONNECTIONS_ENV = 'LOWTIDE_CONNECTIONS';

/**
 * One connection as a Lambda sees it: where to connect and how to get credentials. Never the
 * credentials themselves: the secret's ARN travels, its value is read at run time.
 */
export const runtimeConnectionSchema = z.object({
  engine: z.enum(['postgres', 'mysql']),
  host: z.string().min(1),
  port: z.number().int().positive(),
  database: z.string().min(1),
  /** Secrets Manager secret in the standard RDS JSON shape. */
  secretArn: z.string().optional(),
  /** IAM database authentication: sign a token for this user with the RDS signer. */
  iamAuthUser: z.string().optional(),
  replicas: z
    .array(z.object({ name: z.string(), host: z.string(), port: z.number().int().positive() }))
    .optional(),
  /** CloudWatch alarms the stack created for this connection (replica lag); they gate every job on it. */
  alarms: z.array(z.string()).optional(),
});

export const runtimeConnectionsSchema = z.record(z.string(), runtimeConnectionSchema);

export type RuntimeConnection = z.output<typeof runtimeConnectionSchema>;
export type RuntimeConnections = z.output<typeof runtimeConnectionsSchema>;

/** What the CDK app puts into `LOWTIDE_CONNECTIONS`, derived from the deployment config. */
export function toRuntimeConnections(config: LowtideConfig): RuntimeConnections {
  const out: RuntimeConnections = {};
  for (const [name, c] of Object.entries(config.connections)) {
    const port = c.port ?? defaultPort(c.engine);
    out[name] = {
      engine: c.engine,
      host: c.host,
      port,
      database: c.database,
      ...(isSecretAuth(c.auth) ? { secretArn: c.auth.secretArn } : { iamAuthUser: c.auth.iamUser }),
      ...(c.replicas.length > 0
        ? { replicas: c.replicas.map((r) => ({ name: r.name, host: r.host, port: r.port ?? port })) }
        : {}),
      ...(c.lagAlarm ? { alarms: [replicaLagAlarmName(config.name, name)] } : {}),
    };
  }
  return out;
}

/** Thrown in a Lambda whose environment lacks or garbles `LOWTIDE_CONNECTIONS`: a deployment problem. */
export class ConnectionsEnvError extends Error {
  override readonly name = 'ConnectionsEnvError';
}

/** Reads `LOWTIDE_CONNECTIONS` (pass `process.env.LOWTIDE_CONNECTIONS`). */
export function parseRuntimeConnections(text: string | undefined): RuntimeConnections {
  if (!text) {
    throw new ConnectionsEnvError(
      `${CONNECTIONS_ENV} is not set: deploy with the lowtide CDK app, which sets it`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConnectionsEnvError(`${CONNECTIONS_ENV} is not valid JSON: ${(error as Error).message}`);
  }
  const result = runtimeConnectionsSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConnectionsEnvError(`${CONNECTIONS_ENV} does not describe connections: ${issues}`);
  }
  for (const [name, c] of Object.entries(result.data)) {
    if (!c.secretArn === !c.iamAuthUser) {
      throw new ConnectionsEnvError(
        `${CONNECTIONS_ENV}: connection '${name}' needs exactly one of secretArn and iamAuthUser`,
      );
    }
  }
  return result.data;
}
