import { z } from 'zod';
import { defaultPort, isSecretAuth } from './connection';
import type { LowtideConfig } from './define-config';
import { replicaLagAlarmName } from './names';

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

/**
 * The connections as the Lambdas use them, derived from the bundled deployment config. They used to
 * travel as JSON in every function's environment (LOWTIDE_CONNECTIONS), about 420 bytes a
 * connection against the 4 KB Lambda allows for all variables together ("Lambda quotas", AWS Lambda
 * Developer Guide); nothing in them is known only at deploy time, so the bundle computes them.
 */
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
