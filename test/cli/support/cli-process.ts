import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from here, so fixture paths are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'lowtide.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Generous: a command that hangs fails the test instead of the suite. */
  readonly timeoutMs?: number;
  /** Where the command runs (its lowtide.connections.json). Default: the repository root. */
  readonly cwd?: string;
}

/** Variables a developer's shell may carry that would change which database a command uses. */
const SCRUBBED = ['DATABASE_URL', 'LOWTIDE_DATABASE_URL_PRIMARY', 'LOWTIDE_DEMO_ROWS', 'LOWTIDE_STATE_DIR'];

function childEnv(extra: CliOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Starts `node bin/lowtide.js ...args` as a separate process, as an operator's shell would. */
export function spawnCli(
  args: readonly string[],
  options: CliOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `lowtide ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).done;
}

/** A fresh local control state for one test file. */
export async function tempStateDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lowtide-cli-state-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Parses a command's `--json` stdout, failing with the output in the message when it is not JSON. */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
}

/**
 * Resolves with the first line of the child's stderr (or stdout) that matches `pattern`, as soon
 * as it is written: an event to act on, never a guess at how long the child needs.
 */
export function nextLine(
  child: ChildProcess,
  pattern: RegExp,
  stream: 'stderr' | 'stdout' = 'stderr',
): Promise<string> {
  const source = child[stream]!;
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const found = lines.find((line) => pattern.test(line));
      if (found === undefined) return;
      cleanup();
      resolve(found);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the process ended (code ${code}) before printing a line matching ${pattern}`));
    };
    const cleanup = () => {
      source.off('data', onData);
      child.off('exit', onExit);
    };
    source.on('data', onData);
    child.on('exit', onExit);
  });
}

/** SIGKILLs the child (kill -9: no handler runs, nothing is cleaned up) and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
