import type { TableRef } from '../sql/identifiers';
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
 * Two ways to read it:
 * - `readHeartbeatLag`: the replica's age of the newest beat. Between beats the row ages although
 *   nothing is behind, so beat often (`startHeartbeat` keeps beating in the background) and expect a
 *   reading up to one beat interval above the true lag.
 * - `probeHeartbeatLag`: beat now and time how long that beat takes to appear on the replica. No
 *   background beating needed and no clock skew, at the cost of waiting up to its timeout.
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

interface BeatReading {
  /** The beat's time in microseconds since the epoch, exact: identifies one beat. */
  readonly micros: bigint;
  /** The reading server's clock minus the beat's time, in seconds; never negative. */
  readonly ageSeconds: number;
}

/** The newest beat of `source` that `db` holds, or null when it has none (or no table yet). */
async function readBeat(db: Queryable, source: string, table: TableRef): Promise<BeatReading | null> {
  const statement =
    db.dialect.engine === 'postgres'
      ? sql(
          db.dialect,
          (b) => `SELECT (extract(epoch FROM ${b.id('beat_at')}) * 1000000)::int8::text AS beat_us,
                         extract(epoch FROM clock_timestamp() - ${b.id('beat_at')})::float8 AS age_seconds
                  FROM ${b.table(table)} WHERE ${b.id('source')} = ${b.val(source)}`,
        )
      : sql(
          db.dialect,
          (
            b,
          ) => `SELECT CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${b.id('beat_at')}) AS CHAR) AS beat_us,
                         TIMESTAMPDIFF(MICROSECOND, ${b.id('beat_at')}, UTC_TIMESTAMP(6)) / 1000000 AS age_seconds
                  FROM ${b.table(table)} WHERE ${b.id('source')} = ${b.val(source)}`,
        );
  let rows: { beat_us: unknown; age_seconds: unknown }[];
  try {
    ({ rows } = await db.query<{ beat_us: unknown; age_seconds: unknown }>(statement.text, statement.values));
  } catch (err) {
    if (isMissingTable(err)) return null;
    throw err;
  }
  const row = rows[0];
  if (!row || row.beat_us === null || row.age_seconds === null) return null;
  const age = Number(row.age_seconds);
  if (!Number.isFinite(age)) return null;
  // A beat that looks newer than the reader's clock is clock skew, not negative lag.
  return { micros: BigInt(String(row.beat_us)), ageSeconds: Math.max(0, age) };
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
  const reading = await readBeat(replicaDb, source, options.table ?? HEARTBEAT_TABLE);
  return reading === null ? null : reading.ageSeconds;
}

/**
 * Age in seconds of the newest beat of any source that `db` holds, on its own clock; null when it
 * holds none (or no table). For a reader that does not know who beats: the adapters' own lag
 * reading on a replica, which takes it over the replay timestamp when it is the fresher proof.
 */
export async function readNewestBeatAge(
  db: Queryable,
  options: HeartbeatOptions = {},
): Promise<number | null> {
  const table = options.table ?? HEARTBEAT_TABLE;
  const statement =
    db.dialect.engine === 'postgres'
      ? sql(
          db.dialect,
          (
            b,
          ) => `SELECT extract(epoch FROM clock_timestamp() - max(${b.id('beat_at')}))::float8 AS age_seconds
                  FROM ${b.table(table)}`,
        )
      : sql(
          db.dialect,
          (
            b,
          ) => `SELECT TIMESTAMPDIFF(MICROSECOND, max(${b.id('beat_at')}), UTC_TIMESTAMP(6)) / 1000000 AS age_seconds
                  FROM ${b.table(table)}`,
        );
  let rows: { age_seconds: unknown }[];
  try {
    ({ rows } = await db.query<{ age_seconds: unknown }>(statement.text, statement.values));
  } catch (err) {
    if (isMissingTable(err)) return null;
    throw err;
  }
  const value = rows[0]?.age_seconds;
  const age = value === null || value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(age) ? Math.max(0, age) : null;
}

/** The heartbeat table is missing on the primary: lowtide cannot beat there. */
export class HeartbeatNotInstalledError extends Error {
  override readonly name = 'HeartbeatNotInstalledError';
}

export interface HeartbeatProbeOptions extends HeartbeatOptions {
  /** How long to watch the replica for the new beat; lag beyond this is reported, not measured. */
  readonly timeoutMs: number;
  /** Pause between reads of the replica. Default 25 ms. */
  readonly pollMs?: number;
  /**
   * While waiting, beat again this often. Default 250 ms. When the first beat does not arrive in
   * time, the newest beat the replica does have is then at most this much younger than the lag,
   * so the next probe's upper bound is tight instead of as old as the previous probe.
   */
  readonly beatEveryMs?: number;
}

/**
 * Beats on the primary, then watches the replica until that very beat has been applied, and
 * returns how long that took in seconds, timed by this process's monotonic clock: the delay a
 * write made now suffers, with neither clock skew nor the idle-time error of an old beat. This is
 * the reading for a process that cannot beat continuously (a Lambda health gate).
 *
 * When the beat has not arrived within `timeoutMs`, the lag is at least that: returns the larger of
 * `timeoutMs` and the replica's age of the newest beat it has (an upper bound, as close as the
 * beats of earlier probes were to each other); null when the replica has no beat of `source` at all
 * (unknown lag). Connection failures are thrown as the adapters' DbError.
 */
export async function probeHeartbeatLag(
  primary: Queryable,
  replica: Queryable,
  source: string,
  options: HeartbeatProbeOptions,
): Promise<number | null> {
  checkSource(source);
  const table = options.table ?? HEARTBEAT_TABLE;
  const pollMs = options.pollMs ?? 25;
  const beatEveryMs = options.beatEveryMs ?? 250;
  const started = performance.now();
  let beatAt = started;
  await beat(primary, source, options).catch((err: unknown) => {
    if (isMissingTable(err)) {
      throw new HeartbeatNotInstalledError(
        'the heartbeat table does not exist on the primary: call installHeartbeat(primary) before probing',
        { cause: err },
      );
    }
    throw err;
  });
  // Read back rather than trusting a client-side time: the row holds the server's own timestamp.
  const written = await readBeat(primary, source, table);
  if (written === null) {
    throw new HeartbeatNotInstalledError(
      `the beat of '${source}' vanished from the primary right after it was written`,
    );
  }
  for (;;) {
    const seen = await readBeat(replica, source, table);
    const elapsedMs = performance.now() - started;
    if (seen !== null && seen.micros >= written.micros) return elapsedMs / 1000;
    if (elapsedMs >= options.timeoutMs) {
      return seen === null ? null : Math.max(options.timeoutMs / 1000, seen.ageSeconds);
    }
    // Later beats carry later times, so the first one's arrival is still what ends the wait.
    if (performance.now() - beatAt >= beatEveryMs) {
      beatAt = performance.now();
      await beat(primary, source, options);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, options.timeoutMs - elapsedMs)));
  }
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
