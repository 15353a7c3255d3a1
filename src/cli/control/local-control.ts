import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoControlStore } from '../../control/dynamo-store';
import { connectLocalDynamo, type LocalDynamoClients, startLocalDynamo } from '../../control/local-dynamodb';
import { createControlTable } from '../../control/table';
import type { ControlStore } from '../../control/types';
import { processAlive } from './process-alive';

/** The control table's name in the local store. */
export const LOCAL_CONTROL_TABLE = 'lowtide-local';

/** Written by the process that serves the local store: who it is and where to reach it. */
export interface ServerFile {
  readonly pid: number;
  /** Null while the server is starting. */
  readonly endpoint: string | null;
  readonly startedAt: string;
  /** A run (minutes to hours) rather than a command that ends in a second. */
  readonly longLived: boolean;
}

export interface LocalControl {
  readonly store: ControlStore;
  /** The DynamoDB endpoint (this process's or another's). */
  readonly endpoint: string;
  readonly clients: LocalDynamoClients;
  readonly tableName: string;
  /** `server`: this process serves the store; `client`: another process does. */
  readonly role: 'server' | 'client';
  /**
   * Releases the store. A server first waits for the clients registered with it (another
   * terminal's `lowtide run`), reporting through `onWait`, so it never pulls the store from under them.
   */
  close(onWait?: (clients: number) => void): Promise<void>;
}

export class LocalControlError extends Error {
  override readonly name = 'LocalControlError';
}

interface Paths {
  readonly dir: string;
  readonly data: string;
  readonly server: string;
  readonly clients: string;
}

function pathsOf(stateDir: string): Paths {
  return {
    dir: stateDir,
    data: join(stateDir, 'dynamodb'),
    server: join(stateDir, 'server.json'),
    clients: join(stateDir, 'clients'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readServerFile(path: string): Promise<ServerFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ServerFile;
  } catch {
    // Missing, or caught between create and first write: the caller retries.
    return undefined;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export interface OpenLocalControlOptions {
  /** How long to wait for another process's server to come up or a stale lock to clear. */
  readonly timeoutMs?: number;
  /**
   * The caller runs a job (minutes to hours). It then never becomes the client of a short-lived
   * command's server, which would have to wait for the whole run before it could exit: it waits
   * for that command to finish and serves the store itself.
   */
  readonly longLived?: boolean;
}

/**
 * Opens the local control state under `stateDir` (`.lowtide/` by default). The leveldb that
 * dynalite keeps there may be opened by one process only, so exactly one process serves it:
 * whoever creates `server.json` first (an exclusive create) starts dynalite on a free port and
 * writes the endpoint there; every other process connects to that endpoint and registers itself
 * under `clients/` so the server outlives it. A `server.json` whose process is gone is stale and
 * is taken over. This is how a second terminal pauses a running job.
 */
export async function openLocalControl(
  stateDir: string,
  options: OpenLocalControlOptions = {},
): Promise<LocalControl> {
  const paths = pathsOf(stateDir);
  await mkdir(paths.clients, { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const served = await tryServe(paths, options.longLived ?? false);
    if (served) return served;
    const existing = await readServerFile(paths.server);
    if (existing && !processAlive(existing.pid)) {
      await removeStaleServerFile(paths, existing.pid);
      continue;
    }
    const waitForIt = options.longLived && existing && !existing.longLived;
    if (existing?.endpoint && !waitForIt) {
      const connected = await tryConnect(paths, existing.endpoint);
      if (connected) return connected;
    }
    if (Date.now() > deadline) {
      throw new LocalControlError(
        `the local control state in ${stateDir} is held by process ${existing?.pid ?? '?'}, which does not answer; ` +
          `if no lowtide command is running, delete ${paths.server}`,
      );
    }
    await sleep(50);
  }
}

async function tryServe(paths: Paths, longLived: boolean): Promise<LocalControl | undefined> {
  const claim: ServerFile = {
    pid: process.pid,
    endpoint: null,
    startedAt: new Date().toISOString(),
    longLived,
  };
  try {
    await writeFile(paths.server, JSON.stringify(claim), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  try {
    const dynamo = await startLocalDynamo({ path: paths.data });
    await createControlTable(dynamo.client, LOCAL_CONTROL_TABLE);
    await writeAtomically(paths.server, JSON.stringify({ ...claim, endpoint: dynamo.endpoint }));
    let closed: Promise<void> | undefined;
    return {
      store: new DynamoControlStore({ client: dynamo.documentClient, tableName: LOCAL_CONTROL_TABLE }),
      endpoint: dynamo.endpoint,
      clients: dynamo,
      tableName: LOCAL_CONTROL_TABLE,
      role: 'server',
      close: (onWait) => {
        closed ??= (async () => {
          await waitForClients(paths, onWait);
          await dynamo.stop();
          await unlink(paths.server).catch(() => {});
        })();
        return closed;
      },
    };
  } catch (error) {
    await unlink(paths.server).catch(() => {});
    throw error;
  }
}

async function tryConnect(paths: Paths, endpoint: string): Promise<LocalControl | undefined> {
  const clients = connectLocalDynamo(endpoint);
  try {
    await clients.client.send(new DescribeTableCommand({ TableName: LOCAL_CONTROL_TABLE }));
  } catch {
    // Not up yet, or going away: the caller looks at server.json again.
    clients.documentClient.destroy();
    clients.client.destroy();
    return undefined;
  }
  const registration = join(paths.clients, String(process.pid));
  await writeFile(registration, endpoint);
  let closed = false;
  return {
    store: new DynamoControlStore({ client: clients.documentClient, tableName: LOCAL_CONTROL_TABLE }),
    endpoint,
    clients,
    tableName: LOCAL_CONTROL_TABLE,
    role: 'client',
    close: async () => {
      if (closed) return;
      closed = true;
      clients.documentClient.destroy();
      clients.client.destroy();
      await unlink(registration).catch(() => {});
    },
  };
}

/** Clients whose process is gone are forgotten; the server waits for the rest. */
async function liveClients(paths: Paths): Promise<number> {
  const names = await readdir(paths.clients).catch(() => [] as string[]);
  let live = 0;
  for (const name of names) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (processAlive(pid)) live++;
    else await unlink(join(paths.clients, name)).catch(() => {});
  }
  return live;
}

async function waitForClients(paths: Paths, onWait?: (clients: number) => void): Promise<void> {
  let told = false;
  for (;;) {
    const live = await liveClients(paths);
    if (live === 0) return;
    if (!told) onWait?.(live);
    told = true;
    await sleep(200);
  }
}

/**
 * Moves a dead process's server.json aside before deleting it, so two processes clearing the same
 * stale file cannot delete a fresh one that a third has just created.
 */
async function removeStaleServerFile(paths: Paths, deadPid: number): Promise<void> {
  const aside = `${paths.server}.stale.${process.pid}`;
  try {
    await rename(paths.server, aside);
  } catch {
    return;
  }
  const moved = await readServerFile(aside);
  if (moved && moved.pid !== deadPid && processAlive(moved.pid)) {
    // Someone else's fresh claim: put it back (link fails if yet another claim appeared meanwhile).
    await link(aside, paths.server).catch(() => {});
  }
  await rm(aside, { force: true });
}
