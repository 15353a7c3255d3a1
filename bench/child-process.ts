import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The process was killed because it outlived its time limit. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Waits for a process's exit, keeping its output; kills it (by its own pid) after the time limit. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<ProcessResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs a program without a shell (arguments are never re-parsed) and collects its output. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessResult> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return waitForExit(child, options.timeoutMs);
}

/** Whether a program runs at all (ENOENT and a failing `--version` both say no, with the reason). */
export async function probeCommand(
  command: string,
  args: readonly string[],
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const r = await runProcess(command, args, { timeoutMs: 15_000 });
    if (r.code === 0) return { ok: true, version: (r.stdout || r.stderr).trim().split('\n')[0] ?? '' };
    return { ok: false, reason: `${command} ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim()}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === 'ENOENT' ? `${command} is not installed` : (error as Error).message,
    };
  }
}
