import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { wholeSeconds } from './apply-delay';
import { freePort } from './free-port';
import { findPostgresBinaries } from './postgres-binaries';
import { logTail, RigProcessError, runTool, type ServerProcess, startServer, stopServer } from './processes';
import { createScratchDir, type ScratchDir } from './scratch-dir';
import { serviceAccount } from './service-account';
import type { PostgresReplicaControl, ReplicaPair } from './types';
import { RigTimeoutError, waitUntil } from './wait-until';

export interface PostgresPairOptions {
  /** The replica's name: its application_name on the primary and the name tests give lowtide. */
  readonly replicaName?: string;
  /** The database created on the primary (and so on the replica). */
  readonly database?: string;
}

const SLOT = 'lowtide_rig_replica';
const SUPERUSER = 'postgres';
const NAME = /^[a-z][a-z0-9_-]{0,40}$/;
const DATABASE = /^[a-z][a-z0-9_]{0,40}$/;

/** Settings for a throwaway cluster: no durability, small memory, prompt replication feedback. */
function serverArgs(dataDir: string, socketDir: string, port: number, clusterName: string): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    cluster_name: clusterName,
    fsync: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
    max_connections: '40',
    wal_level: 'replica',
    max_wal_senders: '4',
    max_replication_slots: '4',
    hot_standby: 'on',
    // The replica reports its positions every second, so the primary's view is fresh.
    wal_receiver_status_interval: '1s',
    // After the receiver is restarted it reconnects within half a second instead of five.
    wal_retrieve_retry_interval: '500ms',
    logging_collector: 'off',
  };
  return ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

async function canQuery(url: string): Promise<true | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

async function querySql<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

interface Cluster {
  readonly name: string;
  readonly dataDir: string;
  readonly port: number;
  readonly adminUrl: string;
  process?: ServerProcess;
}

/**
 * A PostgreSQL primary and a streaming replica as two private clusters on loopback ports
 * (initdb, then pg_basebackup -R with a replication slot), apart from the suite's own server.
 * Call stop() in afterAll; a crashed test process is cleaned up by the scratch dir's watchdog.
 */
export async function startPostgresReplicaPair(
  options: PostgresPairOptions = {},
): Promise<ReplicaPair<PostgresReplicaControl>> {
  const started = Date.now();
  const replicaName = options.replicaName ?? 'pg-replica';
  const database = options.database ?? 'lowtide';
  if (!NAME.test(replicaName)) throw new Error('replicaName must be lowercase letters, digits, _ or -');
  if (!DATABASE.test(database)) throw new Error('database must be lowercase letters, digits or _');
  const [bin, account] = await Promise.all([findPostgresBinaries(), serviceAccount('postgres')]);
  const scratch = await createScratchDir('lowtide-pg-pair', account);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: scratch.path };
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const cluster = (name: string, port: number): Cluster => ({
    name,
    dataDir: join(scratch.path, name),
    port,
    adminUrl: `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`,
  });
  const primary = cluster('primary', primaryPort);
  const replica = cluster('replica', replicaPort);

  const boot = async (c: Cluster, clusterName: string): Promise<void> => {
    const server = startServer(
      join(bin, 'postgres'),
      serverArgs(c.dataDir, scratch.path, c.port, clusterName),
      {
        account,
        env,
        logFile: join(scratch.path, `${c.name}.log`),
      },
    );
    c.process = server;
    await waitUntil(`PostgreSQL ${c.name} on port ${c.port} accepting queries`, async () => {
      if (!server.running) throw new RigProcessError(`it exited:\n${logTail(server.logFile)}`);
      return canQuery(c.adminUrl);
    }).catch((err: unknown) => {
      if (err instanceof RigTimeoutError)
        throw new RigProcessError(`${err.message}\n${logTail(server.logFile)}`);
      throw err;
    });
  };

  const pair = buildPair(scratch, primary, replica, replicaName, database, boot);
  try {
    await runTool(
      join(bin, 'initdb'),
      ['-D', primary.dataDir, '-U', SUPERUSER, '--auth=trust', '--no-sync', '--no-locale', '-E', 'UTF8'],
      { account, env },
    );
    await boot(primary, 'primary');
    await querySql(primary.adminUrl, `CREATE DATABASE ${database}`);
    await runTool(
      join(bin, 'pg_basebackup'),
      [
        ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', SUPERUSER, '-D', replica.dataDir],
        ...['-R', '-X', 'stream', '-c', 'fast', '-C', '-S', SLOT, '--no-sync'],
      ],
      { account, env },
    );
    // Later lines win: name the replica in the primary's pg_stat_replication (pg_basebackup's own
    // line calls every standby "walreceiver").
    await appendFile(
      join(replica.dataDir, 'postgresql.auto.conf'),
      `primary_conninfo = '${conninfo(primary, replicaName)}'\n`,
    );
    await boot(replica, replicaName);
    await waitUntil(`replica ${replicaName} streaming from the primary`, async () => {
      const rows = await querySql<{ status: string }>(
        replica.adminUrl,
        'SELECT status FROM pg_stat_wal_receiver',
      );
      return rows[0]?.status === 'streaming' ? true : undefined;
    });
    return { ...pair, startupMs: Date.now() - started };
  } catch (err) {
    await pair.stop().catch(() => {});
    throw err;
  }
}

function conninfo(primary: Cluster, applicationName: string): string {
  return `host=127.0.0.1 port=${primary.port} user=${SUPERUSER} application_name=${applicationName}`;
}

function buildPair(
  scratch: ScratchDir,
  primary: Cluster,
  replica: Cluster,
  replicaName: string,
  database: string,
  boot: (c: Cluster, clusterName: string) => Promise<void>,
): ReplicaPair<PostgresReplicaControl> {
  const onReplica = (text: string) => querySql(replica.adminUrl, text);
  const pauseReplay = async () => {
    await onReplica('SELECT pg_wal_replay_pause()');
  };
  const resumeReplay = async () => {
    await onReplica('SELECT pg_wal_replay_resume()');
  };
  // An empty primary_conninfo makes the startup process stop the WAL receiver (reloadable since
  // PostgreSQL 13): the replica stays up and readable but hears nothing new, like MySQL's IO thread.
  const setConninfo = async (value: string) => {
    await onReplica(`ALTER SYSTEM SET primary_conninfo = '${value}'`);
    await onReplica('SELECT pg_reload_conf()');
  };
  let stopping: Promise<void> | undefined;

  const control: PostgresReplicaControl = {
    pauseReplay,
    resumeReplay,
    stopApply: pauseReplay,
    startApply: resumeReplay,
    async setApplyDelay(seconds) {
      await onReplica(`ALTER SYSTEM SET recovery_min_apply_delay = '${wholeSeconds(seconds)}s'`);
      await onReplica('SELECT pg_reload_conf()');
    },
    async stopIoThread() {
      await setConninfo('');
      await waitUntil(`replica ${replicaName}'s WAL receiver to stop`, async () => {
        const rows = await onReplica('SELECT 1 FROM pg_stat_wal_receiver');
        return rows.length === 0 ? true : undefined;
      });
    },
    async startIoThread() {
      await setConninfo(conninfo(primary, replicaName));
      await waitUntil(`replica ${replicaName}'s WAL receiver to stream again`, async () => {
        const rows = await querySql<{ status: string }>(
          replica.adminUrl,
          'SELECT status FROM pg_stat_wal_receiver',
        );
        return rows[0]?.status === 'streaming' ? true : undefined;
      });
    },
    async killReplica() {
      // SIGQUIT is PostgreSQL's immediate shutdown: no checkpoint, crash recovery at the next start,
      // and unlike SIGKILL it takes the backends down with the postmaster so the port frees at once.
      if (replica.process) await stopServer(replica.process, 'SIGQUIT');
    },
    async restartReplica() {
      if (replica.process?.running)
        throw new RigProcessError(`replica ${replicaName} is running; kill it first`);
      await boot(replica, replicaName);
    },
  };

  const url = (c: Cluster) => `postgres://${SUPERUSER}@127.0.0.1:${c.port}/${database}`;
  return {
    engine: 'postgres',
    primaryUrl: url(primary),
    replicaUrl: url(replica),
    replicaName,
    control,
    // Set by startPostgresReplicaPair once the pair replicates.
    startupMs: 0,
    async syncReplica(timeoutMs = 15_000) {
      const [{ lsn }] = await querySql<{ lsn: string }>(
        primary.adminUrl,
        'SELECT pg_current_wal_lsn()::text AS lsn',
      );
      await waitUntil(
        `replica ${replicaName} to replay up to ${lsn}`,
        async () => {
          const rows = await querySql<{ done: boolean }>(
            replica.adminUrl,
            'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
            [lsn],
          );
          return rows[0]?.done ? true : undefined;
        },
        { timeoutMs },
      );
    },
    stop() {
      stopping ??= (async () => {
        // Immediate shutdown: the data is thrown away, so nothing is worth a checkpoint.
        await Promise.all(
          [replica, primary].map((c) => (c.process ? stopServer(c.process, 'SIGQUIT') : Promise.resolve())),
        );
        await scratch.remove();
      })();
      return stopping;
    },
  };
}
