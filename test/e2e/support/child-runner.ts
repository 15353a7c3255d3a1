import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../fixtures/kill-runner.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

export type RunnerEvent = { type: string; [key: string]: unknown };

export interface KillOutcome {
  /** Every event the runner reported before it died. */
  readonly events: RunnerEvent[];
  /** The runner's stderr, for a failure message. */
  readonly stderr: string;
}

/**
 * Runs the kill runner (a job, or with `rollback: true` its rollback) in its own process and SIGKILLs it once `killWhen` says so (given each event
 * as it arrives; it may return a promise, e.g. to wait until the database shows the batch waiting).
 * Fails if the runner ends by itself first: then nothing was killed and the test proves nothing.
 */
export function runAndKill(
  config: Record<string, unknown>,
  killWhen: (event: RunnerEvent, events: RunnerEvent[]) => boolean | Promise<boolean>,
  /** The runner script: by default this folder's fixtures/kill-runner.ts. */
  runner: string = RUNNER,
): Promise<KillOutcome> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', runner, JSON.stringify(config)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: RunnerEvent[] = [];
  let stderr = '';
  let killed = false;
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (killed || !line.startsWith('{')) return;
      const event = JSON.parse(line) as RunnerEvent;
      events.push(event);
      Promise.resolve(killWhen(event, events)).then(
        (kill) => {
          if (kill && !killed) {
            killed = true;
            child.kill('SIGKILL');
          }
        },
        (error) => {
          killed = true;
          child.kill('SIGKILL');
          reject(error);
        },
      );
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve({ events, stderr });
      else
        reject(
          new Error(
            `the runner ended by itself (code ${code}, signal ${signal}) before the kill point:\n${stderr}`,
          ),
        );
    });
  });
}
