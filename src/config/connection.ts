import { z } from 'zod';
import type { EndpointTarget } from '../db/target';
import { replicaLagAlarmName } from './names';

/** Connection names end up in construct ids, alarm names and environment JSON keys. */
export const connectionName = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{1,64}$/,
    'must be a connection name: letters, digits, _ or -, at most 64 characters',
  );

const hostName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name or IPv4 address (letters, digits, . and -)');

const port = z.number().int().min(1).max(65_535);

/** RDS/Aurora identifiers as CloudWatch dimensions spell them. */
const rdsIdentifier = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/,
    'must be an RDS identifier (a letter, then letters, digits or -, at most 63 characters)',
  );

const secretAuth = z
  .object({
    /**
     * Full ARN of a Secrets Manager secret in the standard RDS JSON shape
     * `{ username, password, host?, port?, dbname? }`, including the 6-character suffix AWS adds.
     */
    secretArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
        "must be the secret's full ARN, ending in the 6-character suffix Secrets Manager adds (copy it from the console)",
      ),
    /** ARN of the customer-managed KMS key that encrypts the secret, when it is not the AWS managed key. */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'must be a KMS key ARN')
      .optional(),
  })
  .strict();

const iamAuth = z
  .object({
    /** The database user that has the rds_iam role (PostgreSQL) or the AWSAuthenticationPlugin (MySQL). */
    iamUser: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain database user name'),
    /**
     * The instance's or cluster's DbiResourceId (`db-...` or `cluster-...`), which `rds-db:connect`
     * permissions name. Find it in the console under Configuration, "Resource ID".
     */
    resourceId: z
      .string()
      .regex(
        /^(db|cluster)-[A-Z0-9]+$/,
        "must be the DbiResourceId, e.g. 'db-ABCDEFGHIJKL' or 'cluster-ABCDEFGHIJ'",
      ),
  })
  .strict();

const replica = z
  .object({
    /** How health checks and logs name the replica. */
    name: connectionName,
    host: hostName,
    port: port.optional(),
  })
  .strict();

/**
 * Where the CloudWatch replica-lag alarm of a connection reads from. RDS read replicas publish
 * `ReplicaLag` in seconds per replica instance; Aurora readers publish `AuroraReplicaLag` in
 * milliseconds per reader instance, and the cluster publishes `AuroraReplicaLagMaximum`.
 */
const lagAlarm = z
  .object({
    service: z.enum(['rds', 'aurora']),
    /** DBInstanceIdentifier of each replica (RDS) or reader (Aurora). */
    replicaInstanceIds: z.array(rdsIdentifier).default([]),
    /** Aurora only: the DBClusterIdentifier; the alarm then watches the cluster's maximum lag. */
    clusterId: rdsIdentifier.optional(),
    /** The alarm goes to ALARM above this many seconds. Default: the smallest maxReplicaLagSeconds of the jobs on the connection. */
    thresholdSeconds: z.number().positive().optional(),
  })
  .strict()
  .superRefine((alarm, ctx) => {
    if (alarm.service === 'rds' && alarm.clusterId) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusterId'],
        message: "is Aurora only: remove it, or set service to 'aurora'",
      });
    }
    if (alarm.replicaInstanceIds.length === 0 && !alarm.clusterId) {
      ctx.addIssue({
        code: 'custom',
        path: ['replicaInstanceIds'],
        message:
          alarm.service === 'rds'
            ? 'must list at least one replica DBInstanceIdentifier'
            : 'must list at least one reader DBInstanceIdentifier, or set clusterId',
      });
    }
  });

/**
 * Where the preflight reads the free storage the job's writes are compared with: an RDS instance's
 * FreeStorageSpace (CloudWatch), or an Aurora cluster, whose volume grows by itself (the check
 * then says so and compares with limits.maxWriteBytes only).
 */
const storage = z.union(
  [z.object({ instanceId: rdsIdentifier }).strict(), z.object({ auroraClusterId: rdsIdentifier }).strict()],
  { error: "must be { instanceId } (the writer's DBInstanceIdentifier) or { auroraClusterId }" },
);

export const connectionSchema = z
  .object({
    engine: z.enum(['postgres', 'mysql']),
    /** The writer's endpoint (an RDS Proxy endpoint works too). */
    host: hostName,
    /** Default: 5432 for postgres, 3306 for mysql. */
    port: port.optional(),
    database: z
      .string()
      .regex(/^[A-Za-z0-9_$-]{1,64}$/, 'must be a database name: letters, digits, _, $ or -'),
    /** Either a Secrets Manager secret or IAM database authentication. */
    auth: z.union([secretAuth, iamAuth], {
      error:
        'must be { secretArn } for a Secrets Manager secret or { iamUser, resourceId } for IAM authentication',
    }),
    /**
     * The database's security group. When given, the stack adds an ingress rule from the functions'
     * security group on the database port; leave it out to manage that rule yourself.
     */
    securityGroupId: z
      .string()
      .regex(/^sg-[0-9a-f]{8,17}$/, "must be a security group id, e.g. 'sg-0123456789abcdef0'")
      .optional(),
    /** Replicas whose lag the health gate reads from the database itself. */
    replicas: z.array(replica).default([]),
    /** A CloudWatch alarm on replica lag that pauses every job on this connection. */
    lagAlarm: lagAlarm.optional(),
    /** The storage the preflight compares a job's estimated write volume with. */
    storage: storage.optional(),
  })
  .strict()
  .superRefine((connection, ctx) => {
    const seen = new Set<string>();
    connection.replicas.forEach((r, i) => {
      if (seen.has(r.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['replicas', i, 'name'],
          message: `'${r.name}' is listed twice`,
        });
      }
      seen.add(r.name);
    });
  });

export type ConnectionInput = z.input<typeof connectionSchema>;
export type Connection = z.output<typeof connectionSchema>;
export type SecretAuth = z.output<typeof secretAuth>;
export type IamAuth = z.output<typeof iamAuth>;
export type LagAlarmConfig = z.output<typeof lagAlarm>;

export function defaultPort(engine: Connection['engine']): number {
  return engine === 'postgres' ? 5432 : 3306;
}

export function isSecretAuth(auth: Connection['auth']): auth is SecretAuth {
  return 'secretArn' in auth;
}

/**
 * The deployment's connections as the Lambdas open them (src/db/target.ts), derived from the
 * bundled deployment config. They used to travel as JSON in every function's environment
 * (LOWTIDE_CONNECTIONS), about 420 bytes a connection against the 4 KB Lambda allows for all
 * variables together ("Lambda quotas", AWS Lambda Developer Guide); nothing in them is known only
 * at deploy time, so the bundle computes them.
 */
export function toRuntimeConnections(config: {
  readonly name: string;
  readonly connections: Readonly<Record<string, Connection>>;
}): Record<string, EndpointTarget> {
  const out: Record<string, EndpointTarget> = {};
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
