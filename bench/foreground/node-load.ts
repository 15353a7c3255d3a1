import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { waitForExit } from '../child-process';
import { BenchSetupError } from '../errors';
import type { ForegroundConfig, ForegroundLoad, ForegroundResult } from './types';

const WORKER = fileURLToPath(new URL('./node-worker.ts', import.meta.url));
/** How long the worker may take to connect before the bench gives up on it. */
const START_TIMEOUT_MS = 30_000;

function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * Starts the foreground load in a separate Node process (so it never shares an event loop with a
 * contender) and resolves once its connections are open.
 */
export async function startNodeLoad(config: ForegroundConfig): Promise<ForegroundLoad> {
  const outFile = join(
    config.workDir,
    `foreground-${Date.now()}-${Math.random().toString(36).slice(2)}.json`,
  );
  const { workDir: _dir, ...rest } = config;
  const child = spawn(process.execPath, ['--import', tsxLoader(), WORKER], {
    env: { ...process.env, LOWTIDE_BENCH_FOREGROUND: JSON.stringify({ ...rest, outFile }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = waitForExit(child, (config.maxSeconds + 180) * 1000);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new BenchSetupError('the foreground load did not start within 30 s')),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then((r) => {
      clearTimeout(timer);
      reject(new BenchSetupError(`the foreground load exited before it started: ${r.stderr.trim()}`));
    }, reject);
  });
  return {
    driver: 'node',
    async stop(): Promise<ForegroundResult> {
      child.stdin!.end('stop\n');
      const r = await exited;
      if (r.code !== 0) {
        throw new BenchSetupError(
          `the foreground load failed (exit ${r.code ?? r.signal}): ${r.stderr.trim()}`,
        );
      }
      return JSON.parse(readFileSync(outFile, 'utf8')) as ForegroundResult;
    },
  };
}
