import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalControl, openLocalControl, type ServerFile } from '../../src/cli/control/local-control';
import { selfIdentity } from '../../src/cli/control/process-identity';
import { killHard, runCli, tempStateDir } from './support/cli-process';

/** A process id that no longer exists: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** A live process that is not lowtide: it runs until its stdin closes. */
async function unrelatedProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'process.stdin.resume(); console.log("up")'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

/** What a server killed -9 leaves behind: its own identity, with a pid that may since be reused. */
function leftBehind(pid: number, start = 'linux:earlier-boot:12345'): ServerFile {
  return {
    host: hostname(),
    pid,
    start,
    endpoint: 'http://127.0.0.1:1',
    startedAt: '2020-01-01T00:00:00Z',
    longLived: true,
  };
}

describe('local control state (.lowtide)', () => {
  let state: Awaited<ReturnType<typeof tempStateDir>>;
  const opened: LocalControl[] = [];
  const open = async (
    ...args: Parameters<typeof openLocalControl> extends [string, ...infer R] ? R : never
  ) => {
    const control = await openLocalControl(state.dir, ...args);
    opened.push(control);
    return control;
  };

  beforeEach(async () => {
    state = await tempStateDir();
  });
  afterEach(async () => {
    for (const control of opened.splice(0).reverse()) await control.close();
    await state.remove();
  });

  it('is served by the first opener; a second one connects to it and sees the same state', async () => {
    const server = await open();
    const client = await open();
    expect(server.role).toBe('server');
    expect(client.role).toBe('client');
    expect(client.endpoint).toBe(server.endpoint);
    const file = JSON.parse(await readFile(join(state.dir, 'server.json'), 'utf8')) as ServerFile;
    expect(file).toMatchObject({ pid: process.pid, endpoint: server.endpoint, longLived: false });

    await client.store.ensureJob('shared-job');
    await client.store.requestPause('shared-job', { reason: 'operator', by: 'terminal-2' });
    const seen = await server.store.getJob('shared-job');
    expect(seen?.status).toBe('paused');
    expect(seen?.pauseRequests.map((r) => r.by)).toEqual(['terminal-2']);
  });

  it('keeps its state on disk across servers', async () => {
    const first = await open();
    await first.store.ensureJob('kept-job');
    await first.store.recordApproval('kept-job', { by: 'ops' });
    await first.close();
    const second = await open();
    expect(second.role).toBe('server');
    expect((await second.store.getJob('kept-job'))?.approval?.by).toBe('ops');
  });

  // Each of these used to wait out the whole timeout and fail: a short one makes a wait show.
  const noWaiting = { timeoutMs: 5000 };
  const servedHere = async (control: LocalControl) => {
    expect(control.role).toBe('server');
    const file = JSON.parse(await readFile(join(state.dir, 'server.json'), 'utf8')) as ServerFile;
    expect(file).toMatchObject({ ...selfIdentity(), endpoint: control.endpoint });
  };

  it('takes over at once from a server whose process is gone', async () => {
    await writeFile(join(state.dir, 'server.json'), JSON.stringify(leftBehind(await deadPid())));
    await servedHere(await open(noWaiting));
  });

  it('takes over from a dead server whose pid now belongs to an unrelated live process', async () => {
    const unrelated = await unrelatedProcess();
    try {
      await writeFile(join(state.dir, 'server.json'), JSON.stringify(leftBehind(unrelated.pid!)));
      await servedHere(await open(noWaiting));
      expect(unrelated.exitCode).toBeNull();
    } finally {
      await killHard(unrelated);
    }
  });

  it.each([
    ['empty', ''],
    ['truncated', JSON.stringify(leftBehind(process.pid, selfIdentity().start)).slice(0, 25)],
    ['not a server file', '{"hello": "world"}'],
  ])('treats a server.json that is %s as absent', async (_, text) => {
    await writeFile(join(state.dir, 'server.json'), text);
    await servedHere(await open(noWaiting));
  });

  it('a live server is not mistaken for a dead one: the next opener becomes its client', async () => {
    const server = await open();
    const client = await open(noWaiting);
    expect(client.role).toBe('client');
    expect(client.endpoint).toBe(server.endpoint);
  });

  it('lets a run wait for a short command to finish instead of becoming its client', async () => {
    const short = await open();
    let settled = false;
    let waiting!: () => void;
    const waited = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const long = openLocalControl(state.dir, { longLived: true, onWait: waiting }).then((control) => {
      settled = true;
      opened.push(control);
      return control;
    });
    // It said it is waiting for the short command's server, and it has not become its client.
    await waited;
    expect(settled).toBe(false);
    await short.close();
    const run = await long;
    expect(run.role).toBe('server');
  });

  it('a server waits for its live clients before it stops', async () => {
    const server = await open();
    const child = await unrelatedProcess();
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    await writeFile(join(state.dir, 'clients', String(child.pid)), server.endpoint);
    const waitedFor: number[] = [];
    // The client ends only once the server has said it waits for it.
    await server.close((n) => {
      waitedFor.push(n);
      child.stdin!.end();
    });
    expect(waitedFor).toEqual([1]);
    expect(exited).toBe(true);
  });

  it('forgets a client killed -9 whose pid was reused by another process', async () => {
    const server = await open();
    const unrelated = await unrelatedProcess();
    try {
      const dead = { ...selfIdentity(), pid: unrelated.pid!, start: 'linux:earlier-boot:12345' };
      await writeFile(join(state.dir, 'clients', String(unrelated.pid)), JSON.stringify(dead));
      const waitedFor: number[] = [];
      await server.close((n) => waitedFor.push(n));
      expect(waitedFor).toEqual([]);
    } finally {
      await killHard(unrelated);
    }
  });
});

describe('commands on a local control state left broken', () => {
  let state: Awaited<ReturnType<typeof tempStateDir>>;
  beforeEach(async () => {
    state = await tempStateDir();
  });
  afterEach(async () => {
    await state.remove();
  });

  const cases: Array<[string, () => Promise<{ text: string; done?: () => Promise<void> }>]> = [
    ['an empty server.json', async () => ({ text: '' })],
    ['a truncated server.json', async () => ({ text: '{"host":"x","pid":12' })],
    [
      'a server.json naming a reused pid',
      async () => {
        const unrelated = await unrelatedProcess();
        return { text: JSON.stringify(leftBehind(unrelated.pid!)), done: () => killHard(unrelated) };
      },
    ],
  ];

  it.each(cases)('answer at once with %s', async (_, make) => {
    const { text, done } = await make();
    try {
      await writeFile(join(state.dir, 'server.json'), text);
      const env = { LOWTIDE_STATE_DIR: state.dir };
      const started = Date.now();
      const paused = await runCli(['pause', 'broken-state-job', '--by', 'ops'], { env });
      expect(paused.code, paused.stderr).toBe(0);
      const status = await runCli(['status', 'broken-state-job'], { env });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('status      paused');
      // A guard only (each command used to wait ~16 s and fail): the outcome is asserted above.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await done?.();
    }
  });
});
