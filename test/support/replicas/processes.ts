import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { asAccount, type ServiceAccount } from './service-account';

/** A tool of the rig exited non-zero or a server died; the message carries the end of its output. */
export class RigProcessError extends Error {
  override readonly name = 'RigProcessError';
}

export interface RunOptions {
  readonly account: ServiceAccount;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs a setup tool (initdb, pg_basebackup, mariadb-install-db) to completion. */
export function runTool(command: string, args: readonly string[], options: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...asAccount(options.account),
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => reject(new RigProcessError(`cannot run ${command}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new RigProcessError(
            `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`,
          ),
        );
    });
  });
}

/** A database server the rig started and is responsible for stopping. */
export interface ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited, whoever ended it. */
  readonly exited: Promise<void>;
  readonly running: boolean;
  signal(signal: NodeJS.Signals): void;
}

const live = new Set<ServerProcess>();
let exitHookInstalled = false;

/**
 * Last resort when a test run ends without calling stop(): ask every server still running to quit
 * at once. The scratch directory's watchdog removes the files once this process is gone.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of live) server.signal('SIGKILL');
  });
}

/** The last lines of a server's log, for an error message that shows why it would not start. */
export function logTail(logFile: string, lines = 25): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * Starts a long-running server as the account, its output appended to `logFile`. It stays in this
 * process's care: stop() or the exit hook ends it.
 */
export function startServer(
  command: string,
  args: readonly string[],
  options: RunOptions & { readonly logFile: string; readonly killSignal?: NodeJS.Signals },
): ServerProcess {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      ...asAccount(options.account),
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  let running = true;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
  const server: ServerProcess = {
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    get running() {
      return running;
    },
    signal(signal) {
      if (!running) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
  };
  void exited.then(() => {
    running = false;
    live.delete(server);
  });
  // A quick 'exit' handler must never see a pid of -1 from a failed spawn.
  if (child.pid !== undefined) {
    live.add(server);
    installExitHook();
  }
  return server;
}

/** Sends `signal`, then SIGKILL if the server is still there after `graceMs`; resolves once it is gone. */
export async function stopServer(
  server: ServerProcess,
  signal: NodeJS.Signals,
  graceMs = 10_000,
): Promise<void> {
  if (!server.running) return;
  server.signal(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const outcome = await Promise.race([server.exited.then(() => 'gone' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    server.signal('SIGKILL');
    await server.exited;
  }
}
