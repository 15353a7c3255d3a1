import type { TestEngine } from './databases';
import type { RawConnection } from './raw-sql';
import { waitUntil } from './replicas/wait-until';

/**
 * Whether another session of this database is stuck in a statement behind a row lock: PostgreSQL
 * reports the wait itself; MariaDB leaves a waiting statement out of innodb_trx, so it is seen in
 * the process list as a change (or a locking read) still running while the holder sits idle.
 * `table` narrows MariaDB's guess to statements on that table: the runner's own bookkeeping
 * (ledger, lease) is also a running UPDATE for a moment, and letting go then would race the batch.
 */
export async function someoneWaitsOnLock(
  raw: RawConnection,
  engine: TestEngine,
  table?: string,
): Promise<boolean> {
  const rows =
    engine === 'postgres'
      ? await raw.query<{ n: unknown }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      : await raw.query<{ n: unknown }>(
          `SELECT count(*) AS n FROM information_schema.processlist
            WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command = 'Query'
              AND (info LIKE 'UPDATE%' OR info LIKE 'DELETE%' OR info LIKE 'SELECT%FOR UPDATE')
              AND (? IS NULL OR LOCATE(?, info) > 0)`,
          [table ?? null, table ?? null],
        );
  return Number(rows[0]!.n) > 0;
}

/** Resolves once a session waits on a lock (see someoneWaitsOnLock): the moment to let go of it. */
export function untilSomeoneWaitsOnLock(
  raw: RawConnection,
  engine: TestEngine,
  table?: string,
): Promise<true> {
  return waitUntil(
    'a session to wait on the held lock',
    async () => ((await someoneWaitsOnLock(raw, engine, table)) ? true : undefined),
    { intervalMs: 10 },
  );
}
