import type { TestEngine } from './databases';
import type { RawConnection } from './raw-sql';

/**
 * A `set` expression that takes 100 ms a row and leaves `note` as it was: a batch of 10 rows holds
 * its first row lock for about a second, long enough for an application session to wait on it.
 */
export function slowNote(engine: TestEngine): string {
  return engine === 'postgres'
    ? 'CASE WHEN pg_sleep(0.1) IS NULL THEN note ELSE note END'
    : 'CASE WHEN SLEEP(0.1) = 0 THEN note ELSE note END';
}

/** Whether a slow UPDATE (slowNote) has been running for `forMs`, so it holds its first rows. */
export async function slowChangeRunning(
  raw: RawConnection,
  engine: TestEngine,
  forMs: number,
): Promise<boolean> {
  const ms = Math.trunc(forMs);
  const rows =
    engine === 'postgres'
      ? await raw.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
              AND query LIKE '%UPDATE%pg_sleep(0.1)%' AND pid <> pg_backend_pid()
              AND clock_timestamp() - query_start > interval '${ms} milliseconds'`,
        )
      : await raw.query(
          `SELECT 1 FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query'
              AND info LIKE '%UPDATE%SLEEP(0.1)%' AND id <> CONNECTION_ID() AND time_ms > ${ms}`,
        );
  return rows.length > 0;
}
