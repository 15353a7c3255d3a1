import { defineJob } from 'lowtide';

/** Deletes login sessions that expired more than 30 days ago, in small batches during the day. */
export default defineJob({
  id: 'purge-expired-sessions',
  owner: 'identity',
  description: 'Delete sessions expired for more than 30 days',
  engine: 'mysql',
  database: 'sessions',
  kind: 'delete',
  table: 'sessions',
  key: 'id',
  where: 'expires_at < NOW() - INTERVAL 30 DAY',
  batch: { size: 500, min: 50, max: 5000, targetMs: 300 },
  health: { maxReplicaLagSeconds: 2 },
});
