import { defineJob } from 'lowtide';

/**
 * The job `npm start` runs: a backfill of `tier` on the demo table that src/cli/demo seeds. Rows that
 * already have a tier (every tenth) must be left alone; `backfill_count` shows that each changed
 * row was changed exactly once. Run it yourself against your own seeded database with
 * `npx lowtide plan examples/demo/backfill-demo-tier.ts` and `npx lowtide run ... --local`.
 */
export default defineJob({
  id: 'demo-backfill-tier',
  owner: 'lowtide-demo',
  description: 'Set lowtide_demo_accounts.tier from lifetime_value where it is still NULL',
  engine: 'postgres',
  database: 'demo',
  kind: 'update',
  table: 'lowtide_demo_accounts',
  key: 'id',
  where: 'tier IS NULL',
  set: {
    tier: "CASE WHEN lifetime_value >= 1000 THEN 'gold' WHEN lifetime_value >= 100 THEN 'silver' ELSE 'standard' END",
    backfill_count: 'backfill_count + 1',
  },
  verify: { invariant: 'tier IS NOT NULL' },
  // Each transaction aims at 50 ms of row locks; one apply step runs them for up to 3 s.
  batch: { size: 1000, min: 200, max: 10_000, targetMs: 50, invocationBudgetMs: 3000 },
  limits: { lockTimeoutMs: 1000, statementTimeoutMs: 10_000 },
  health: { pauseBetweenBatchesMs: 20 },
  preflight: { requireColumns: ['tier', 'lifetime_value', 'backfill_count'] },
});
