// The deployment-config pieces the config, recipe and statement-fit tests build on: one PostgreSQL
// connection, the tier backfill on its accounts table, and the two recipes on that table.
import { defineJob } from '../../src/job/define-job';
import type { JobSpec } from '../../src/job/types';
import { addNotNullColumn, createIndexConcurrently } from '../../src/recipes';

export const PRIMARY_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/primary-Ab12Cd';

export const primaryConnections = {
  primary: {
    engine: 'postgres' as const,
    host: 'db.internal',
    database: 'app',
    auth: { secretArn: PRIMARY_SECRET },
  },
};

/** `UPDATE accounts SET tier = 'standard' WHERE tier IS NULL` on the primary connection. */
export function tierBackfill(
  id = 'backfill-tier',
  extra: { limits?: { statementTimeoutMs: number }; health?: { maxReplicaLagSeconds: number } } = {},
): JobSpec {
  return defineJob({
    id,
    owner: 'data',
    engine: 'postgres',
    database: 'primary',
    table: 'accounts',
    key: 'id',
    kind: 'update',
    where: 'tier IS NULL',
    set: { tier: "'standard'" },
    ...extra,
  });
}

/** The NOT NULL `rank` column recipe; `statementTimeoutMs` bounds its backfill's batches. */
export function rankColumnRecipe(statementTimeoutMs?: number) {
  return addNotNullColumn({
    id: 'accounts-rank',
    table: 'accounts',
    column: 'rank',
    type: 'integer',
    backfill: '0',
    job: {
      database: 'primary',
      owner: 'data',
      key: 'id',
      ...(statementTimeoutMs ? { limits: { statementTimeoutMs } } : {}),
    },
  });
}

/** CREATE INDEX CONCURRENTLY on accounts(note); `statementTimeoutMs` bounds its create phase. */
export function noteIndexRecipe(statementTimeoutMs?: number) {
  return createIndexConcurrently({
    id: 'idx-note',
    table: 'accounts',
    name: 'accounts_note_idx',
    columns: ['note'],
    ...(statementTimeoutMs ? { statementTimeoutMs } : {}),
  });
}
