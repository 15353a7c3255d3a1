import type { TableRef } from '../job/identifiers';
import { sql } from './sql';
import type { Database, Queryable } from './types';

/**
 * lowtide's own replication heartbeat, in the spirit of gh-ost and pt-heartbeat: the primary keeps
 * one row per writer with the time of its last beat; each replica's copy of that row says how old
 * the newest data it has replayed is.
 *
 * Why not the servers' own numbers: PostgreSQL's `now() - pg_last_xact_replay_timestamp()` grows on
 * an idle primary although nothing is behind, and MySQL's `Seconds_Behind_Source` is NULL or 0 in
 * exactly the states that matter (SQL thread stopped, IO thread down). A heartbeat row replays like
 * any other write, so its age on a replica is the delay a job's own writes suffer, measured the
 * same way on both engines, to the microsecond.
 *
 * Clock caveat: the lag is the replica server's clock minus the primary server's clock at the beat.
 * On one host (or hosts kept in step by NTP / Amazon Time Sync, typically within a millisecond) that
 * is the replication delay. With skewed clocks the reading is off by the skew, both ways; it is still
 * the best signal because its error is bounded and constant, while the servers' own readings are
 * wrong without bound in the states above. Compare a reading with a threshold well above any skew
 * you expect (lowtide's are in seconds).
 *
 * Beat often: between beats the replicated row ages although nothing is behind, so a reading can
 * exceed the true lag by up to one beat interval. `startHeartbeat` keeps beating in the background.
 */

export const HEARTBEAT_TABLE: TableRef = { name: 'lowtide_heartbeat' };

/** Longest `source` the table holds (MySQL's utf8mb4 index limit keeps a key at 191 characters). */
export const MAX_SOURCE_LENGTH = 191;

export interface HeartbeatOptions {
  /** Where the heartbeat rows live; default `lowtide_heartbeat` in the connection's default schema. */
  readonly table?: TableRef;
}

/** A heartbeat source name lowtide cannot store; the message says what to change. */
export class HeartbeatSourceError extends Error {
  override readonly name = 'HeartbeatSourceError';
}

function checkSource(source: string): void {
  if (source.length === 0 || source.length > MAX_SOURCE_LENGTH) {
    throw new HeartbeatSourceError(
      `a heartbeat source must be 1 to ${MAX_SOURCE_LENGTH} characters (e.g. the job id or deployment name); got ${source.length}`,
    );
  }
}

/** Creates the heartbeat table on the primary when it is missing. Safe to call before every run. */
export async function installHeartbeat(db: Queryable, options: HeartbeatOptions = {}): Promise<void> {
  const table = options.table ?? HEARTBEAT_TABLE;
  const statement =
    db.dialect.engine === 'postgres'
      ? sql(
          db.dialect,
          (b) => `CREATE TABLE IF NOT EXISTS ${b.table(table)} (
            ${b.id('source')} varchar(${MAX_SOURCE_LENGTH}) PRIMARY KEY,
            ${b.id('beat_at')} timestamptz(6) NOT NULL)`,
        )
      : // DATETIME holds UTC written with UTC_TIMESTAMP: no session time zone or DST shift can move it.
        sql(
          db.dialect,
          (b) => `CREATE TABLE IF NOT EXISTS ${b.table(table)} (
            ${b.id('source')} varchar(${MAX_SOURCE_LENGTH}) NOT NULL PRIMARY KEY,
            ${b.id('beat_at')} datetime(6) NOT NULL) ENGINE=InnoDB`,
        );
  await db.query(statement.text, statement.values);
}

/**
 * Writes the primary's current time into `source`'s row, in its own autocommit statement. The time
 * comes from the database server (clock_timestamp(), not the transaction's start), never from this
 * process, so it compares with the replica's server clock.
 */
export async function beat(db: Queryable, source: string, options: HeartbeatOptions = {}): Promise<void> {
  checkSource(source);
  const table = options.table ?? HEARTBEAT_TABLE;
  const statement =
    db.dialect.engine === 'postgres'
      ? sql(
          db.dialect,
          (b) => `INSERT INTO ${b.table(table)} (${b.id('source')}, ${b.id('beat_at')})
                  VALUES (${b.val(source)}, clock_timestamp())
                  ON CONFLICT (${b.id('source')}) DO UPDATE SET ${b.id('beat_at')} = EXCLUDED.${b.id('beat_at')}`,
        )
      : sql(
          db.dialect,
          (b) => `INSERT INTO ${b.table(table)} (${b.id('source')}, ${b.id('beat_at')})
                  VALUES (${b.val(source)}, UTC_TIMESTAMP(6))
                  ON DUPLICATE KEY UPDATE ${b.id('beat_at')} = UTC_TIMESTAMP(6)`,
        );
  await db.query(statement.text, statement.values);
}

/**
 * Seconds between the replica's clock now and the newest beat of `source` it has replayed; null
 * when the row (or the table) has not reached the replica, which callers treat as unknown lag.
 * Never negative: a beat that looks newer than the replica's clock is skew, not negative lag.
 */
export async function readHeartbeatLag(
  replicaDb: Queryable,
  source: string,
  options: HeartbeatOptions = {},
): Promise<number | null> {
  checkSource(source);
  const table = options.table ?? HEARTBEAT_TABLE;
  const statement =
    replicaDb.dialect.engine === 'postgres'
      ? sql(
          replicaDb.dialect,
          (b) => `SELECT extract(epoch FROM clock_timestamp() - ${b.id('beat_at')})::float8 AS lag_seconds
                  FROM ${b.table(table)} WHERE ${b.id('source')} = ${b.val(source)}`,
        )
      : sql(
          replicaDb.dialect,
          (
            b,
          ) => `SELECT TIMESTAMPDIFF(MICROSECOND, ${b.id('beat_at')}, UTC_TIMESTAMP(6)) / 1000000 AS lag_seconds
                  FROM ${b.table(table)} WHERE ${b.id('source')} = ${b.val(source)}`,
        );
  let rows: { lag_seconds: unknown }[];
  try {
    ({ rows } = await replicaDb.query<{ lag_seconds: unknown }>(statement.text, statement.values));
  } catch (err) {
    if (isMissingTable(err)) return null;
    throw err;
  }
  const row = rows[0];
  if (!row || row.lag_seconds === null || row.lag_seconds === undefined) return null;
  const lag = Number(row.lag_seconds);
  return Number.isFinite(lag) ? Math.max(0, lag) : null;
}

/** The table has not been created on the primary yet, or its creation has not replayed. */
function isMissingTable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // PostgreSQL undefined_table; MySQL ER_NO_SUCH_TABLE.
  return code === '42P01' || code === '1146' || code === 'ER_NO_SUCH_TABLE';
}

export interface HeartbeatLoop {
  /** The last beat's failure, cleared by the next success; the loop keeps trying through errors. */
  readonly lastError: Error | undefined;
  /** Beats written so far. */
  readonly beats: number;
  /** Stops beating and waits for a beat in flight to finish. */
  stop(): Promise<void>;
}

export interface HeartbeatLoopOptions extends HeartbeatOptions {
  /** Pause between beats; a reading overstates the lag by at most this. Default 250 ms. */
  readonly intervalMs?: number;
}

/**
 * Beats every `intervalMs` until stopped, for a process that lives through the job (the local
 * runtime, a test, a long-running worker). One beat at a time: a slow primary delays the next
 * beat instead of piling writes up.
 */
export function startHeartbeat(
  db: Database,
  source: string,
  options: HeartbeatLoopOptions = {},
): HeartbeatLoop {
  checkSource(source);
  const intervalMs = options.intervalMs ?? 250;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const state: { lastError: Error | undefined; beats: number } = { lastError: undefined, beats: 0 };

  const tick = (): void => {
    inFlight = beat(db, source, options).then(
      () => {
        state.beats++;
        state.lastError = undefined;
      },
      (err: unknown) => {
        state.lastError = err instanceof Error ? err : new Error(String(err));
      },
    );
    void inFlight.then(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return {
    get lastError() {
      return state.lastError;
    },
    get beats() {
      return state.beats;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
