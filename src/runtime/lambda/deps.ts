import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ddlRulesOf } from '../../config/ddl-guard';
import type { LowtideConfig } from '../../config/define-config';
import { deployedJobs, featureFlagsOf, findJob } from '../../config/define-config';
import { APPLY_BATCH_TIMEOUT_SECONDS } from '../../config/function-timeouts';
import { replicaLagAlarmName } from '../../config/names';
import { DynamoControlStore } from '../../control/dynamo-store';
import { cloudWatchAlarmReader } from '../../health/cloudwatch-reader';
import type { JobSpec } from '../../job/types';
import { checkContinueAsNewAfter } from '../../run/history-budget';
import { type Connections, DEFAULT_SETTINGS, type HandlerDeps, type RuntimeSettings } from '../deps';

export type Env = Readonly<Record<string, string | undefined>>;

function positive(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not '${raw}'`);
  return value;
}

/**
 * Runtime settings with optional overrides from the environment (LOWTIDE_LEASE_TTL_SECONDS,
 * LOWTIDE_CONTINUE_AS_NEW_AFTER, LOWTIDE_DDL_SCAN_MB_PER_SECOND); a threshold the history budget
 * cannot hold is refused. Statements are bounded by the ApplyBatch function's timeout, the figure
 * the stack deploys it with.
 */
export function settingsFromEnv(env: Env): RuntimeSettings {
  const ttl = positive(env, 'LOWTIDE_LEASE_TTL_SECONDS');
  const after = positive(env, 'LOWTIDE_CONTINUE_AS_NEW_AFTER');
  const scan = positive(env, 'LOWTIDE_DDL_SCAN_MB_PER_SECOND');
  if (after)
    checkContinueAsNewAfter(
      Math.floor(after),
      DEFAULT_SETTINGS.historyCosts,
      'LOWTIDE_CONTINUE_AS_NEW_AFTER',
    );
  return {
    ...DEFAULT_SETTINGS,
    ...(ttl ? { leaseTtlMs: ttl * 1000 } : {}),
    ...(after ? { continueAsNewAfter: Math.floor(after) } : {}),
    ...(scan ? { ddlScanMbPerSecond: scan } : {}),
    applyBatchTimeoutSeconds: APPLY_BATCH_TIMEOUT_SECONDS,
  };
}

/** A job's alarms: its own, plus the replica-lag alarm the stack creates for its connection. */
export function deploymentAlarms(config: LowtideConfig): (spec: JobSpec) => string[] {
  return (spec) => {
    const lag = config.connections[spec.database]?.lagAlarm
      ? [replicaLagAlarmName(config.name, spec.database)]
      : [];
    return [...spec.health.alarms, ...lag];
  };
}

/** Where a function's logs and metrics go: Powertools on Lambda, made by the handler's wrapper. */
export type Telemetry = Pick<HandlerDeps, 'logger' | 'metrics'>;

/** Builds a function's deps once per container; the database functions add their connections. */
export type DepsFactory = (config: LowtideConfig, telemetry: Telemetry, env?: Env) => HandlerDeps;

/**
 * A function that never touches a database gets this: its role and network allow no database
 * access, and its bundle carries no driver (see createDatabaseDeps in ./database-deps).
 */
const noDatabase: Connections = {
  open: (name) =>
    Promise.reject(new Error(`this function does not touch the database: it cannot open '${name}'`)),
  replicas: (name) =>
    Promise.reject(
      new Error(`this function does not touch the database: it cannot read replicas of '${name}'`),
    ),
  close: () => Promise.resolve(),
};

/**
 * The functions that read feature flags (Preflight, HealthGate) touch the database and get the
 * AppConfig reader from ./database-deps; the others carry no AppConfig client in their bundle.
 */
const noFlags: HandlerDeps['flags'] = {
  isEnabled: ({ flag }) =>
    Promise.reject(new Error(`this function does not read feature flags: it cannot read '${flag}'`)),
};

/**
 * Production deps for a Lambda container without database access: the control table from
 * LOWTIDE_CONTROL_TABLE, jobs and recipes from the bundled deployment config, CloudWatch
 * DescribeAlarms, and the logs and metrics the handler's wrapper passes. Built once per container.
 */
export function createControlDeps(
  config: LowtideConfig,
  { logger, metrics }: Telemetry,
  env: Env = process.env,
): HandlerDeps {
  const tableName = env.LOWTIDE_CONTROL_TABLE;
  if (!tableName)
    throw new Error('LOWTIDE_CONTROL_TABLE is not set: the stack sets it to the control table name');
  const region = env.AWS_REGION;
  const cloudWatch = new CloudWatchClient({ region });
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region, maxAttempts: 2 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    store: new DynamoControlStore({ client: documentClient, tableName }),
    resolveJob: (jobId) => findJob(config, jobId).job,
    // A fleet job's member runs are the jobs an alarm or a status change concerns, not the fleet job.
    jobs: () => deployedJobs(config),
    resolveRecipe: (recipeId) => config.recipes.find((r) => r.recipe.id === recipeId),
    alarmsFor: deploymentAlarms(config),
    flagsFor: (spec) => featureFlagsOf(config, spec),
    // A recipe's execution runs under a job named after the recipe, so one lookup by id serves both.
    ddlRulesFor: (spec) => ddlRulesOf(config, spec.id),
    connections: noDatabase,
    alarms: cloudWatchAlarmReader(cloudWatch),
    flags: noFlags,
    now: () => new Date(),
    logger,
    metrics,
    settings: settingsFromEnv(env),
  };
}
