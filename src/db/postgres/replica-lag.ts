import pg from 'pg';
import { readNewestBeatAge } from '../heartbeat';
import type { Queryable, ReplicaLag, ReplicaTarget } from '../types';
import { postgresDialect } from './dialect';
import { toDbError } from './errors';
import { type PgQueryable, publicResult, runQuery } from './run-query';

/** A replica that does not answer within this long counts as unhealthy rather than stalling the gate. */
export const REPLICA_TIMEOUT_MS = 3_000;

interface SenderRow {
  readonly pid: number;
  readonly application_name: string | null;
  readonly client_addr: string | null;
  readonly state: string | null;
  readonly slot_type: string | null;
  readonly caught_up: boolean | null;
  readonly replay_lag_seconds: number | null;
  readonly bytes_behind: string | null;
}

/**
 * Lag of every standby attached to this server, read from pg_stat_replication, plus every physical
 * replication slot no standby is using: a standby that crashed or lost its connection drops out of
 * pg_stat_replication, and only its idle slot (WAL piling up for it) still says it exists. A
 * standby whose replay position equals our current WAL position is caught up (lag 0) even though
 * `replay_lag` is NULL or shows an old sample on an idle primary. Without pg_monitor the positions
 * are hidden; the lag is then unknown and reported as such, never as 0.
 *
 * Limitation: `replay_lag` is the walsender's estimate, refreshed only when the standby reports
 * (every wal_receiver_status_interval, 10 s by default). A stalled replay (paused, or stuck on a
 * conflict) makes it grow, but in steps of that interval, so it understates a fresh stall by up to
 * one interval. The detail names the WAL bytes not yet replayed; give replica URLs for a gate that
 * reads each standby's own view and lowtide's heartbeat.
 */
export async function readAttachedStandbys(db: PgQueryable): Promise<ReplicaLag[]> {
  const { rows } = await runQuery<SenderRow>(
    db,
    `SELECT r.pid,
            r.application_name,
            host(r.client_addr) AS client_addr,
            r.state,
            s.slot_type,
            r.replay_lsn = CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                ELSE pg_current_wal_lsn() END AS caught_up,
            extract(epoch FROM r.replay_lag)::float8 AS replay_lag_seconds,
            pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                 ELSE pg_current_wal_lsn() END, r.replay_lsn)::int8::text AS bytes_behind
       FROM pg_stat_replication r
       LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
      ORDER BY r.application_name, r.pid`,
  );
  return [...rows.map(senderLag), ...(await readIdleSlots(db)).map(idleSlotLag)];
}

interface IdleSlotRow {
  readonly slot_name: string;
  readonly retained_bytes: string | null;
}

/** Physical slots that no walsender serves: each one is a standby that is not connected. */
async function readIdleSlots(db: PgQueryable): Promise<IdleSlotRow[]> {
  const { rows } = await runQuery<IdleSlotRow>(
    db,
    `SELECT slot_name,
            pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                 ELSE pg_current_wal_lsn() END, restart_lsn)::int8::text AS retained_bytes
       FROM pg_replication_slots
      WHERE slot_type = 'physical' AND NOT active AND NOT temporary
      ORDER BY slot_name`,
  );
  return rows;
}

function idleSlotLag(row: IdleSlotRow): ReplicaLag {
  const slot = row.slot_name;
  const retained = row.retained_bytes === null ? '' : ` (${row.retained_bytes} bytes of WAL kept for it)`;
  return {
    replica: slot,
    lagSeconds: null,
    healthy: false,
    detail: `the standby of replication slot '${slot}' is not connected${retained}: start it again, or drop the slot with pg_drop_replication_slot('${slot}') if that standby is gone for good`,
  };
}

function senderName(row: SenderRow): string {
  // 'walreceiver' is every physical standby's default application_name: it names nothing.
  if (row.application_name && row.application_name !== 'walreceiver') return row.application_name;
  return row.client_addr ?? `walsender pid ${row.pid}`;
}

function senderLag(row: SenderRow): ReplicaLag {
  const replica = senderName(row);
  const kind = row.slot_type === 'logical' ? 'logical replica' : 'standby';
  const lagSeconds = row.caught_up === true ? 0 : row.replay_lag_seconds;
  if (row.state === null) {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `${kind} ${replica}: its replication status is hidden from lowtide's role; grant it pg_monitor to read lag`,
    };
  }
  if (row.state !== 'streaming') {
    return {
      replica,
      lagSeconds,
      healthy: false,
      detail: `${kind} ${replica} is in state '${row.state}', not streaming; wait until it has caught up`,
    };
  }
  if (lagSeconds === null) {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `${kind} ${replica} streams but its replay lag cannot be read (no replay reported yet, or lowtide's role lacks pg_monitor); unknown lag counts as unhealthy`,
    };
  }
  const behind =
    lagSeconds > 0 && row.bytes_behind !== null ? ` (${row.bytes_behind} bytes of WAL not replayed yet)` : '';
  return {
    replica,
    lagSeconds,
    healthy: true,
    detail: `${kind} ${replica} streams, ${lagSeconds.toFixed(3)} s behind${behind}`,
  };
}

interface ReplicaRow {
  readonly in_recovery: boolean;
  readonly replay_paused: boolean | null;
  readonly caught_up: boolean | null;
  readonly replay_age_seconds: number | null;
  readonly receiver_running: boolean;
  readonly receiver_status: string | null;
}

// pg_is_wal_replay_paused() and the last-LSN functions raise on a primary; the CASEs keep them off it.
const REPLICA_STATUS = `SELECT pg_is_in_recovery() AS in_recovery,
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS replay_paused,
       CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() END AS caught_up,
       CASE WHEN pg_is_in_recovery()
            THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_age_seconds,
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver) AS receiver_running,
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver_status`;

/** Connects to each replica (in parallel, with short timeouts) and reads its lag from its own view. */
export function readReplicas(
  replicas: readonly ReplicaTarget[],
  applicationName: string,
): Promise<ReplicaLag[]> {
  return Promise.all(replicas.map((target) => readReplica(target, applicationName)));
}

async function readReplica(target: ReplicaTarget, applicationName: string): Promise<ReplicaLag> {
  const client = new pg.Client({
    connectionString: target.url,
    application_name: applicationName,
    connectionTimeoutMillis: REPLICA_TIMEOUT_MS,
    statement_timeout: REPLICA_TIMEOUT_MS,
    query_timeout: REPLICA_TIMEOUT_MS,
  });
  // A replica that drops the connection must not take the process down with an unheard 'error'.
  client.on('error', () => {});
  try {
    try {
      await client.connect();
    } catch (err) {
      return unreadable(target, `cannot connect: ${toDbError(err).message}`);
    }
    const { rows } = await runQuery<ReplicaRow>(client, REPLICA_STATUS);
    const row = rows[0]!;
    // The heartbeat only sharpens the reading: one that cannot be read (no grant) leaves the replay timestamp.
    const heartbeatAge = row.in_recovery
      ? await readNewestBeatAge(asQueryable(client)).catch(() => null)
      : null;
    return replicaLag(target, row, heartbeatAge);
  } catch (err) {
    return unreadable(target, `cannot read its replication status: ${toDbError(err).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

function asQueryable(client: pg.Client): Queryable {
  return {
    dialect: postgresDialect,
    query: async (text, values) => publicResult(await runQuery(client, text, values)),
  };
}

function unreadable(target: ReplicaTarget, why: string): ReplicaLag {
  return { replica: target.name, lagSeconds: null, healthy: false, detail: `replica ${target.name}: ${why}` };
}

/**
 * The replica's lag when it is not provably caught up. Both the age of the last replayed
 * transaction and the age of lowtide's newest replayed heartbeat overstate it (the replica holds
 * at least what the primary had then), so the smaller is the better reading. The replay timestamp
 * alone goes stale whenever the primary idles; a beating heartbeat keeps the reading fresh.
 */
const SAME_WRITE_SECONDS = 0.05;

function replayedAge(
  replayAge: number | null,
  heartbeatAge: number | null,
): { seconds: number; by: 'heartbeat' | 'transaction' } | null {
  const replay = replayAge === null ? null : Math.max(0, replayAge);
  // A beat's time precedes its own commit by a few milliseconds: within that, it is the same proof.
  if (heartbeatAge !== null && (replay === null || heartbeatAge <= replay + SAME_WRITE_SECONDS))
    return { seconds: heartbeatAge, by: 'heartbeat' };
  return replay === null ? null : { seconds: replay, by: 'transaction' };
}

function replicaLag(target: ReplicaTarget, row: ReplicaRow, heartbeatAge: number | null): ReplicaLag {
  const replica = target.name;
  if (!row.in_recovery) {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `replica ${replica} is not a replica (pg_is_in_recovery() is false): check the replica's URL, or it was promoted`,
    };
  }
  const age = replayedAge(row.replay_age_seconds, heartbeatAge);
  // Replayed everything received proves nothing when nothing is being received: a standby cut off
  // from its primary would read as caught up forever. Only a confirmed streaming receiver earns lag 0.
  const streaming = row.receiver_status === 'streaming';
  const caughtUp = streaming && row.caught_up === true;
  const lagSeconds = caughtUp ? 0 : (age?.seconds ?? null);
  if (row.replay_paused) {
    return {
      replica,
      lagSeconds,
      healthy: false,
      detail: `replica ${replica} has WAL replay paused: resume it with pg_wal_replay_resume()`,
    };
  }
  if (!row.receiver_running) {
    return {
      replica,
      lagSeconds,
      healthy: false,
      detail: `replica ${replica} is not receiving WAL from a primary (no WAL receiver): check its primary_conninfo and the primary's replication slots`,
    };
  }
  if (row.receiver_status !== null && !streaming) {
    return {
      replica,
      lagSeconds,
      healthy: false,
      detail: `replica ${replica}'s WAL receiver is '${row.receiver_status}', not streaming`,
    };
  }
  if (lagSeconds === null) {
    return {
      replica,
      lagSeconds: null,
      healthy: false,
      detail: `replica ${replica} has replayed no transaction yet, so its lag cannot be read; unknown lag counts as unhealthy`,
    };
  }
  const how = caughtUp
    ? ''
    : age?.by === 'heartbeat'
      ? " (by lowtide's newest replayed heartbeat)"
      : streaming
        ? ' (since its last replayed transaction)'
        : ' (since its last replayed transaction; grant pg_monitor to read it exactly)';
  return {
    replica,
    lagSeconds,
    healthy: true,
    detail: `replica ${replica} is ${lagSeconds.toFixed(3)} s behind${how}`,
  };
}
