import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoControlStore } from '../../control/dynamo-store';
import { connectLocalDynamo, type LocalDynamoClients, startLocalDynamo } from '../../control/local-dynamodb';
import { createControlTable } from '../../control/table';
import type { ControlStore, LocalLeaseHolders } from '../../control/types';
import {
  localLeaseHolders,
  type ProcessIdentity,
  parseIdentity,
  processAlive,
  processGone,
  selfIdentity,
} from './process-identity';

/** The control table's name in the local store. */
export const LOCAL_CONTROL_TABLE = 'lowtide-local';

/**
 * Written by the process that serves the local store: who it is (host, pid and start time, so a
 * reused pid is not mistaken for it) and where to reach it.
 */
export interface ServerFile extends ProcessIdentity {
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
  /** How leases name local processes; hand it to the local runtime so its leases do too. */
  readonly leaseHolders: LocalLeaseHolders;
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

type ServerFileRead =
  | { readonly kind: 'absent' }
  /** Empty, truncated or not ours (a crash mid-write by an older version): treated as absent. */
  | { readonly kind: 'garbage'; readonly text: string }
  | { readonly kind: 'found'; readonly text: string; readonly file: ServerFile };

export function parseServerFile(text: string): ServerFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const identity = parseIdentity(value);
  const v = value as Partial<ServerFile>;
  if (!identity || typeof v.startedAt !== 'string' || typeof v.longLived !== 'boolean') return undefined;
  if (v.endpoint !== null && typeof v.endpoint !== 'string') return undefined;
  return { ...identity, endpoint: v.endpoint, startedAt: v.startedAt, longLived: v.longLived };
}

async function readServerFile(path: string): Promise<ServerFileRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  const file = parseServerFile(text);
  return file ? { kind: 'found', text, file } : { kind: 'garbage', text };
}

const tempName = (path: string) => `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;

/** Readers see the old text or the new, never a part: the text is renamed into place. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = tempName(path);
  await writeFile(temp, text);
  await rename(temp, path);
}

/**
 * Creates `path` with `text` only if it does not exist, atomically: the text is written to a temp
 * file first and hard-linked into place (link fails if the name exists), so nobody ever reads the
 * claim half-written. False when another process's file is there.
 */
async function createAtomically(path: string, text: string): Promise<boolean> {
  const temp = tempName(path);
  await writeFile(temp, text);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

const sameProcess = (a: ProcessIdentity, b: ProcessIdentity) =>
  a.host === b.host && a.pid === b.pid && a.start === b.start;

export interface OpenLocalControlOptions {
  /** How long to wait for another process's server to come up or a stale lock to clear. */
  readonly timeoutMs?: number;
  /**
   * The caller runs a job (minutes to hours). It then never becomes the client of a short-lived
   * command's server, which would have to wait for the whole run before it could exit: it waits
   * for that command to finish and serves the store itself.
   */
  readonly longLived?: boolean;
  /** Called once if this opener waits for another process's live server (a run behind a command). */
  readonly onWait?: (server: ServerFile) => void;
}

/**
 * Opens the local control state under `stateDir` (`.lowtide/` by default). The leveldb that
 * dynalite keeps there may be opened by one process only, so exactly one process serves it:
 * whoever creates `server.json` first (an exclusive, atomic create) starts dynalite on a free port and
 * writes the endpoint there; every other process connects to that endpoint and registers itself
 * under `clients/` so the server outlives it. A `server.json` whose process is gone (by pid and
 * start time: a reused pid is not its server) is stale and taken over at once, as is one that is
 * empty or cut short. This is how a second terminal pauses a running job.
 */
export async function openLocalControl(
  stateDir: string,
  options: OpenLocalControlOptions = {},
): Promise<LocalControl> {
  const paths = pathsOf(stateDir);
  await mkdir(paths.clients, { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let toldWaiting = false;
  for (;;) {
    const served = await tryServe(paths, options.longLived ?? false);
    if (served) return served;
    const existing = await readServerFile(paths.server);
    if (existing.kind === 'absent') continue;
    if (existing.kind === 'garbage' || processGone(existing.file)) {
      // Its server died (kill -9, a crash, a reboot), or the file never was a whole claim.
      await removeStaleServerFile(paths, existing.text);
      continue;
    }
    const { file } = existing;
    const waitForIt = options.longLived && !file.longLived;
    if (file.endpoint && !waitForIt) {
      const connected = await tryConnect(paths, file.endpoint);
      if (connected) return connected;
    }
    if (Date.now() > deadline) {
      throw new LocalControlError(
        `the local control state in ${stateDir} is held by process ${file.pid}, which does not answer; ` +
          `if no lowtide command is running, delete ${paths.server}`,
      );
    }
    // The server is alive: it is starting, stopping, or serving a short command a run waits for.
    if (!toldWaiting) options.onWait?.(file);
    toldWaiting = true;
    await sleep(50);
  }
}

async function tryServe(paths: Paths, longLived: boolean): Promise<LocalControl | undefined> {
  const claim: ServerFile = {
    ...selfIdentity(),
    endpoint: null,
    startedAt: new Date().toISOString(),
    longLived,
  };
  if (!(await createAtomically(paths.server, JSON.stringify(claim)))) return undefined;
  const leaseHolders = localLeaseHolders();
  try {
    const dynamo = await startLocalDynamo({ path: paths.data });
    await createControlTable(dynamo.client, LOCAL_CONTROL_TABLE);
    await writeAtomically(paths.server, JSON.stringify({ ...claim, endpoint: dynamo.endpoint }));
    let closed: Promise<void> | undefined;
    return {
      store: new DynamoControlStore({
        client: dynamo.documentClient,
        tableName: LOCAL_CONTROL_TABLE,
        holders: leaseHolders,
      }),
      endpoint: dynamo.endpoint,
      clients: dynamo,
      tableName: LOCAL_CONTROL_TABLE,
      role: 'server',
      leaseHolders,
      close: (onWait) => {
        closed ??= (async () => {
          await waitForClients(paths, onWait);
          await dynamo.stop();
          await removeOwnServerFile(paths);
        })();
        return closed;
      },
    };
  } catch (error) {
    await removeOwnServerFile(paths);
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
  await writeAtomically(registration, JSON.stringify(selfIdentity()));
  let closed = false;
  const leaseHolders = localLeaseHolders();
  return {
    store: new DynamoControlStore({
      client: clients.documentClient,
      tableName: LOCAL_CONTROL_TABLE,
      holders: leaseHolders,
    }),
    endpoint,
    clients,
    tableName: LOCAL_CONTROL_TABLE,
    role: 'client',
    leaseHolders,
    close: async () => {
      if (closed) return;
      closed = true;
      clients.documentClient.destroy();
      clients.client.destroy();
      await unlink(registration).catch(() => {});
    },
  };
}

/** Clients whose process is gone (by pid and start time) are forgotten; the server waits for the rest. */
async function liveClients(paths: Paths): Promise<number> {
  const names = await readdir(paths.clients).catch(() => [] as string[]);
  let live = 0;
  for (const name of names) {
    const pid = Number(name);
    if (pid === process.pid || name.endsWith('.tmp')) continue;
    const text = await readFile(join(paths.clients, name), 'utf8').catch(() => '');
    const identity = parseJsonIdentity(text);
    const gone = identity ? processGone(identity) : !processAlive(pid);
    if (gone) await unlink(join(paths.clients, name)).catch(() => {});
    else live++;
  }
  return live;
}

function parseJsonIdentity(text: string): ProcessIdentity | undefined {
  try {
    return parseIdentity(JSON.parse(text));
  } catch {
    return undefined;
  }
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
 * Moves a stale server.json (its process gone, or not a whole claim) aside before deleting it, so
 * two processes clearing the same stale file cannot delete a fresh claim a third has just made:
 * what was moved is compared with what was judged stale, and a different live claim goes back.
 */
async function removeStaleServerFile(paths: Paths, staleText: string): Promise<void> {
  const aside = `${paths.server}.stale.${process.pid}`;
  try {
    await rename(paths.server, aside);
  } catch {
    return;
  }
  const movedText = await readFile(aside, 'utf8').catch(() => staleText);
  const moved = parseServerFile(movedText);
  if (movedText !== staleText && moved && !processGone(moved)) {
    // Someone else's fresh claim: put it back (link fails if yet another claim appeared meanwhile).
    await link(aside, paths.server).catch(() => {});
  }
  await rm(aside, { force: true });
}

/** A server stopping removes server.json only while it is still its own claim. */
async function removeOwnServerFile(paths: Paths): Promise<void> {
  const current = await readServerFile(paths.server).catch(() => undefined);
  if (current?.kind === 'found' && sameProcess(current.file, selfIdentity())) {
    await unlink(paths.server).catch(() => {});
  }
}
