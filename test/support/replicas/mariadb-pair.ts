import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { wholeSeconds } from './apply-delay';
import { freePort } from './free-port';
import { logTail, RigProcessError, runTool, type ServerProcess, startServer, stopServer } from './processes';
import { createScratchDir } from './scratch-dir';
import { serviceAccount } from './service-account';
import type { MariadbReplicaControl, ReplicaPair } from './types';
import { RigTimeoutError, waitUntil } from './wait-until';

const run = promisify(execFile);

export interface MariadbPairOptions {
  /** The replica's name, as tests give it to lowtide. */
  readonly replicaName?: string;
  /** The database created on the primary (and replicated). */
  readonly database?: string;
}

const NAME = /^[a-z][a-z0-9_-]{0,40}$/;
const DATABASE = /^[a-z][a-z0-9_]{0,40}$/;

export class MariadbBinariesError extends Error {
  override readonly name = 'MariadbBinariesError';
}

/** `mariadbd` and `mariadb-install-db` from PATH (plus sbin, where Debian puts the server). */
async function findBinaries(): Promise<{ server: string; installDb: string }> {
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin`;
  const which = async (names: string[]) => {
    for (const name of names) {
      try {
        const { stdout } = await run('sh', ['-c', 'command -v "$1"', 'which', name], { env: { PATH: path } });
        if (stdout.trim()) return stdout.trim();
      } catch {
        // Not this name; try the next.
      }
    }
    return undefined;
  };
  const [server, installDb] = await Promise.all([
    which(['mariadbd', 'mysqld']),
    which(['mariadb-install-db', 'mysql_install_db']),
  ]);
  if (!server || !installDb) {
    throw new MariadbBinariesError(
      'the replica rig needs the MariaDB server (mariadbd and mariadb-install-db on PATH or in /usr/sbin): install the MariaDB server package',
    );
  }
  return { server, installDb };
}

interface Instance {
  readonly role: 'primary' | 'replica';
  readonly serverId: number;
  readonly dataDir: string;
  readonly port: number;
  process?: ServerProcess;
}

function connectOptions(port: number, database?: string): mysql.ConnectionOptions {
  return { host: '127.0.0.1', port, user: 'root', database, connectTimeout: 2000 };
}

async function onServer<R>(port: number, text: string, values?: unknown[]): Promise<R[]> {
  const conn = await mysql.createConnection(connectOptions(port));
  conn.on('error', () => {});
  try {
    const [rows] = await conn.query(text, values);
    return (Array.isArray(rows) ? rows : []) as R[];
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** A throwaway server: no durability, little memory, binlog in ROW format with GTIDs. */
function serverArgs(scratch: string, i: Instance): string[] {
  const args = [
    '--no-defaults',
    `--datadir=${i.dataDir}`,
    `--socket=${join(scratch, `${i.role}.sock`)}`,
    `--pid-file=${join(scratch, `${i.role}.pid`)}`,
    `--port=${i.port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    `--server-id=${i.serverId}`,
    `--log-basename=${i.role}`,
    '--log-bin',
    '--binlog-format=ROW',
    '--gtid-strict-mode=ON',
    '--character-set-server=utf8mb4',
    '--innodb-buffer-pool-size=32M',
    '--innodb-log-file-size=8M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--performance-schema=OFF',
    '--max-connections=60',
  ];
  if (i.role === 'replica') {
    // Relay logs are rebuilt from the primary after a crash, so killReplica cannot corrupt them.
    args.push('--read-only=ON', '--relay-log-recovery=ON');
  }
  return args;
}

/**
 * A MariaDB primary and a replica as two private `mariadbd` instances on loopback ports, GTID
 * replication with MASTER_USE_GTID=slave_pos, root with an empty password over TCP. Call stop() in
 * afterAll; a crashed test process is cleaned up by the scratch dir's watchdog.
 */
export async function startMariadbReplicaPair(
  options: MariadbPairOptions = {},
): Promise<ReplicaPair<MariadbReplicaControl>> {
  const started = Date.now();
  const replicaName = options.replicaName ?? 'mariadb-replica';
  const database = options.database ?? 'lowtide';
  if (!NAME.test(replicaName)) throw new Error('replicaName must be lowercase letters, digits, _ or -');
  if (!DATABASE.test(database)) throw new Error('database must be lowercase letters, digits or _');
  const [bins, account] = await Promise.all([findBinaries(), serviceAccount('mysql')]);
  const scratch = await createScratchDir('lowtide-mariadb-pair', account);
  const env = { PATH: `${process.env.PATH ?? ''}:/usr/sbin`, LC_ALL: 'C', HOME: scratch.path };
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const instance = (role: Instance['role'], serverId: number, port: number): Instance => ({
    role,
    serverId,
    port,
    dataDir: join(scratch.path, role),
  });
  const primary = instance('primary', 1, primaryPort);
  const replica = instance('replica', 2, replicaPort);

  const boot = async (i: Instance): Promise<void> => {
    const server = startServer(bins.server, serverArgs(scratch.path, i), {
      account,
      env,
      logFile: join(scratch.path, `${i.role}.log`),
    });
    i.process = server;
    await waitUntil(`MariaDB ${i.role} on port ${i.port} accepting queries`, async () => {
      if (!server.running) throw new RigProcessError(`it exited:\n${logTail(server.logFile)}`);
      await onServer(i.port, 'SELECT 1');
      return true;
    }).catch((err: unknown) => {
      if (err instanceof RigTimeoutError)
        throw new RigProcessError(`${err.message}\n${logTail(server.logFile)}`);
      throw err;
    });
  };

  const onReplica = async (text: string) => {
    await onServer(replica.port, text);
  };
  const stopSqlThread = () => onReplica('STOP SLAVE SQL_THREAD');
  const startSqlThread = () => onReplica('START SLAVE SQL_THREAD');
  let stopping: Promise<void> | undefined;

  const pair: ReplicaPair<MariadbReplicaControl> = {
    engine: 'mysql',
    primaryUrl: `mysql://root@127.0.0.1:${primary.port}/${database}`,
    replicaUrl: `mysql://root@127.0.0.1:${replica.port}/${database}`,
    replicaName,
    startupMs: 0,
    control: {
      stopSqlThread,
      startSqlThread,
      stopApply: stopSqlThread,
      startApply: startSqlThread,
      async setApplyDelay(seconds) {
        // MariaDB changes MASTER_DELAY only while replication is stopped; both threads resume at once.
        await onReplica('STOP SLAVE');
        await onReplica(`CHANGE MASTER TO MASTER_DELAY = ${wholeSeconds(seconds)}`);
        await onReplica('START SLAVE');
      },
      stopIoThread: () => onReplica('STOP SLAVE IO_THREAD'),
      startIoThread: () => onReplica('START SLAVE IO_THREAD'),
      async killReplica() {
        if (replica.process) await stopServer(replica.process, 'SIGKILL');
      },
      async restartReplica() {
        if (replica.process?.running)
          throw new RigProcessError(`replica ${replicaName} is running; kill it first`);
        // Replication restarts by itself: the connection settings and GTID position survived the crash.
        await boot(replica);
      },
    },
    async syncReplica(timeoutMs = 15_000) {
      const [{ pos }] = await onServer<{ pos: string }>(
        primary.port,
        'SELECT @@GLOBAL.gtid_binlog_pos AS pos',
      );
      const [{ waited }] = await onServer<{ waited: number }>(
        replica.port,
        'SELECT MASTER_GTID_WAIT(?, ?) AS waited',
        [pos, timeoutMs / 1000],
      );
      if (Number(waited) !== 0) {
        throw new RigTimeoutError(
          `replica ${replicaName} did not apply up to GTID ${pos} within ${timeoutMs} ms`,
        );
      }
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(
          [replica, primary].map((i) => (i.process ? stopServer(i.process, 'SIGKILL') : Promise.resolve())),
        );
        await scratch.remove();
      })();
      return stopping;
    },
  };

  try {
    await runTool(
      bins.installDb,
      [
        '--no-defaults',
        `--datadir=${primary.dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--innodb-log-file-size=8M',
        '--innodb-buffer-pool-size=32M',
      ],
      { account, env },
    );
    // Both instances start from the same freshly installed system tables; the binlog comes later.
    await runTool('cp', ['-a', primary.dataDir, replica.dataDir], { account, env });
    await Promise.all([boot(primary), boot(replica)]);
    await onServer(
      replica.port,
      `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primary.port}, MASTER_USER = 'root',
       MASTER_PASSWORD = '', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`,
    );
    await onReplica('START SLAVE');
    await onServer(primary.port, `CREATE DATABASE ${database}`);
    await pair.syncReplica();
    return { ...pair, startupMs: Date.now() - started };
  } catch (err) {
    await pair.stop().catch(() => {});
    throw err;
  }
}
