import { defineJob } from 'lowtide';

/**
 * Backfills `accounts.tier`, added after most accounts existed, from each account's lifetime value.
 * Runs at night (see lowtide.config.ts), keeps before-images for a rollback run, and pauses while
 * the replicas fall behind or the database's CPU alarm fires.
 */
export default defineJob({
  id: 'backfill-account-tier',
  owner: 'platform-data',
  description: 'Set accounts.tier from lifetime_value where it is still NULL',
  engine: 'postgres',
  database: 'primary',
  kind: 'update',
  table: 'public.accounts',
  key: 'id',
  where: 'tier IS NULL',
  set: { tier: "CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'standard' END" },
  batch: { size: 1000, min: 100, max: 10_000, targetMs: 500 },
  limits: { lockTimeoutMs: 1000, statementTimeoutMs: 5000, maxRuntimeSeconds: 4 * 3600 },
  health: { maxReplicaLagSeconds: 5, alarms: ['orders-db-cpu-high'], pauseBetweenBatchesMs: 200 },
  preflight: { requireColumns: ['tier', 'lifetime_value'] },
  rollback: { audit: true },
  verify: { invariant: 'tier IS NOT NULL' },
});
