import { spawn } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceAccount } from './service-account';

export interface ScratchDir {
  readonly path: string;
  /** Removes the directory and retires its watchdog; call once every server in it has exited. */
  remove(): Promise<void>;
}

/**
 * If this test process dies without cleaning up (a crash, SIGKILL from the runner), the watchdog
 * notices within a second, asks every server whose pid file lies in the directory to quit, makes
 * sure they did, and deletes the directory. Arguments arrive as $1/$2, never spliced into the script.
 */
const WATCHDOG = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
pids=""
for f in "$2"/*/postmaster.pid "$2"/*.pid; do
  [ -f "$f" ] && pids="$pids $(head -n 1 "$f")"
done
for p in $pids; do kill -QUIT "$p" 2>/dev/null; done
sleep 3
for p in $pids; do kill -KILL "$p" 2>/dev/null; done
rm -rf "$2"
`;

/** A fresh directory under the OS temp dir, owned by the account the servers run as. */
export async function createScratchDir(prefix: string, account: ServiceAccount): Promise<ScratchDir> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  if (account.uid !== undefined && account.gid !== undefined) await chown(path, account.uid, account.gid);
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'lowtide-rig-watchdog', String(process.pid), path], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return {
    path,
    async remove() {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGTERM');
      await rm(path, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
