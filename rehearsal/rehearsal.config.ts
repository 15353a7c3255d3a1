// The deployment the rehearsal synthesizes: one backfill job per engine against the databases the
// run created, credentials in Secrets Manager as RDS keeps them. Like lowtide.config.ts it is
// plain data and job specs, bundled into the functions. rehearsal/template/synth.ts writes a
// config file per stage that calls rehearsalConfig(stage) with the stage as a literal, so the
// bundles carry the run's hosts, ports and databases; this file's default export (the stage from
// LOWTIDE_REHEARSAL_STAGE, or placeholders) is for synthesizing it by hand.
import { defineConfig } from '../src/config';
import { defineJob } from '../src/job/define-job';
import { addNotNullColumn, mysqlAddIndex } from '../src/recipes';
import {
  CONNECTION_OF,
  INSTANCE_OF,
  JOB_OF,
  RECIPE_OF,
  REHEARSAL_ALARM,
  REHEARSAL_CONFIG_NAME,
  REHEARSAL_FLAG,
  REHEARSAL_TABLE,
  type RehearsalEngine,
  type RehearsalStage,
  stageFromEnv,
} from './template/stage';

/** The tier backfill: every NULL tier set, applied_count bumped so a row changed twice shows. */
function backfill(engine: RehearsalEngine) {
  return defineJob({
    id: JOB_OF[engine],
    owner: 'rehearsal',
    description: 'Rehearsal backfill: set accounts.tier where it is NULL',
    engine,
    database: CONNECTION_OF[engine],
    kind: 'update',
    table: REHEARSAL_TABLE,
    key: 'id',
    where: 'tier IS NULL',
    set: {
      tier: "CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'standard' END",
      applied_count: 'applied_count + 1',
    },
    verify: { invariant: 'tier IS NOT NULL' },
    // One transaction per apply step: the scenarios count what happens between steps (pause,
    // alarm, flag, stop, continue-as-new after 4 gate visits) on a table of a few batches.
    batch: { size: 40, min: 40, max: 40, targetMs: 500, invocationBudgetMs: 0 },
    limits: { lockTimeoutMs: 1000, statementTimeoutMs: 5000, maxRuntimeSeconds: 3600 },
    health: { maxReplicaLagSeconds: 5, alarms: [REHEARSAL_ALARM], pauseBetweenBatchesMs: 0 },
    rollback: { audit: true },
  });
}

/**
 * The recipes an operator starts from the console (`{ "jobId": <recipe id>, "recipe": true }`).
 * Neither needs a recorded consent: every statement of both is the recipe's safe form, and
 * SET NOT NULL after a validated check is not a blocking finding.
 */
function recipes() {
  const limits = { lockTimeoutMs: 1000, statementTimeoutMs: 5000, maxRuntimeSeconds: 3600 };
  return [
    {
      recipe: addNotNullColumn({
        id: RECIPE_OF.postgres,
        table: REHEARSAL_TABLE,
        column: 'rank',
        type: 'integer',
        backfill: '(id % 7)::integer',
        job: {
          database: CONNECTION_OF.postgres,
          owner: 'rehearsal',
          key: 'id',
          batch: { size: 40, min: 40, max: 40, targetMs: 500 },
          limits,
          health: { pauseBetweenBatchesMs: 0 },
        },
      }),
    },
    {
      recipe: mysqlAddIndex({
        id: RECIPE_OF.mysql,
        table: REHEARSAL_TABLE,
        name: 'accounts_ltv_idx',
        columns: ['lifetime_value'],
      }),
      control: { database: CONNECTION_OF.mysql, owner: 'rehearsal', limits },
    },
  ];
}

function connection(stage: RehearsalStage, engine: RehearsalEngine) {
  const db = stage.databases[engine];
  return {
    engine,
    host: db.host,
    port: db.port,
    database: db.database,
    auth: { secretArn: db.secretArn },
    storage: { instanceId: INSTANCE_OF[engine] },
  };
}

export function rehearsalConfig(stage: RehearsalStage) {
  return defineConfig({
    name: REHEARSAL_CONFIG_NAME,
    featureFlag: REHEARSAL_FLAG,
    connections: {
      [CONNECTION_OF.postgres]: connection(stage, 'postgres'),
      [CONNECTION_OF.mysql]: connection(stage, 'mysql'),
    },
    jobs: (['postgres', 'mysql'] as const).map((engine) => ({
      job: backfill(engine),
      // Every minute, so the latest scheduled time is always now and its window open.
      schedule: {
        cron: '* * * * ? *',
        timeZone: 'Europe/Berlin',
        durationMinutes: 120,
        flexibleWindowMinutes: 5,
      },
    })),
    recipes: recipes(),
  });
}

export default rehearsalConfig(stageFromEnv(process.env));
