/**
 * What one rehearsal run is deployed against: the fake account and region every ARN is made in,
 * and per engine the database created for the run behind its TLS front door. The synthesized
 * template depends on it (LOWTIDE_CONNECTIONS names host, port and database), so it is part of
 * the synth cache key; both engine test files of one run share one stage and so one synth.
 */
export interface RehearsalStage {
  readonly runId: string;
  readonly region: string;
  readonly accountId: string;
  readonly databases: Readonly<Record<RehearsalEngine, RehearsalDatabase>>;
  /** The stack prop continueAsNewAfter: low, so every run hands over at least once. */
  readonly continueAsNewAfter: number;
}

export type RehearsalEngine = 'postgres' | 'mysql';

export interface RehearsalDatabase {
  /** The front door's address (TLS), as an RDS endpoint would be. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The Secrets Manager secret holding the RDS-shaped credentials. */
  readonly secretArn: string;
}

/** The environment variable that carries the stage into the synth process. */
export const STAGE_ENV = 'LOWTIDE_REHEARSAL_STAGE';

export const REHEARSAL_REGION = 'eu-west-1';
// The account id AWS documentation uses in its examples: never a real one.
export const REHEARSAL_ACCOUNT = '111122223333';
export const REHEARSAL_CONFIG_NAME = 'lowtide-rh';

/** The connection name of each engine in the rehearsal config. */
export const CONNECTION_OF: Readonly<Record<RehearsalEngine, string>> = { postgres: 'pg', mysql: 'my' };

/** The job of each engine in the rehearsal config. */
export const JOB_OF: Readonly<Record<RehearsalEngine, string>> = {
  postgres: 'rehearsal-pg-backfill',
  mysql: 'rehearsal-my-backfill',
};

/**
 * The schema-change recipe of each engine in the rehearsal config: on PostgreSQL a NOT NULL column
 * with its backfill (accounts.rank), on MariaDB an index built in place (accounts_ltv_idx).
 */
export const RECIPE_OF: Readonly<Record<RehearsalEngine, string>> = {
  postgres: 'rehearsal-pg-rank',
  mysql: 'rehearsal-my-ltv-index',
};

/** The alarm both jobs watch (the CloudWatch alarm the scenarios flip). */
export const REHEARSAL_ALARM = 'lowtide-rh-db-load';

export const REHEARSAL_TABLE = 'accounts';

/** The deployment-wide AppConfig kill switch (config.featureFlag) the scenarios flip. */
export const REHEARSAL_FLAG = {
  application: 'rhapp01',
  environment: 'rhenv01',
  profile: 'rhflg01',
  flag: 'maintenance',
} as const;

/** REHEARSAL_FLAG's profile as the local AppConfig keys it. */
export const REHEARSAL_FLAG_PROFILE = `${REHEARSAL_FLAG.application}/${REHEARSAL_FLAG.environment}/${REHEARSAL_FLAG.profile}`;

/** The RDS instance whose FreeStorageSpace each engine's preflight reads. */
export const INSTANCE_OF: Readonly<Record<RehearsalEngine, string>> = {
  postgres: 'lowtide-rh-pg',
  mysql: 'lowtide-rh-my',
};

export function secretArnFor(engine: RehearsalEngine, runId: string): string {
  // Secrets Manager appends six random characters to a secret's name in its ARN.
  return `arn:aws:secretsmanager:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:secret:lowtide-rh/${runId}/${engine}-Rh${runId.slice(0, 4)}`;
}

export function databaseNameFor(engine: RehearsalEngine, runId: string): string {
  return `lowtide_rh_${runId}_${engine === 'postgres' ? 'pg' : 'my'}`;
}

/** The stage a synth process or a function reads: without LOWTIDE_REHEARSAL_STAGE, placeholders that validate. */
export function stageFromEnv(env: Readonly<Record<string, string | undefined>>): RehearsalStage {
  const raw = env[STAGE_ENV];
  if (raw) return JSON.parse(raw) as RehearsalStage;
  const runId = '000000';
  const placeholder = (engine: RehearsalEngine, port: number): RehearsalDatabase => ({
    host: '127.0.0.1',
    port,
    database: databaseNameFor(engine, runId),
    secretArn: secretArnFor(engine, runId),
  });
  return {
    runId,
    region: REHEARSAL_REGION,
    accountId: REHEARSAL_ACCOUNT,
    databases: { postgres: placeholder('postgres', 5432), mysql: placeholder('mysql', 3306) },
    continueAsNewAfter: 4,
  };
}
