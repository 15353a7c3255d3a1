import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalControl, openLocalControl, type ServerFile } from '../../src/cli/control/local-control';
import { tempStateDir } from './support/cli-process';

/** A process id that no longer exists: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
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

  it('takes over from a server whose process is gone', async () => {
    const stale: ServerFile = {
      pid: await deadPid(),
      endpoint: 'http://127.0.0.1:1',
      startedAt: '2020-01-01T00:00:00Z',
      longLived: true,
    };
    await writeFile(join(state.dir, 'server.json'), JSON.stringify(stale));
    const control = await open({ timeoutMs: 5000 });
    expect(control.role).toBe('server');
    const file = JSON.parse(await readFile(join(state.dir, 'server.json'), 'utf8')) as ServerFile;
    expect(file.pid).toBe(process.pid);
  });

  it('lets a run wait for a short command to finish instead of becoming its client', async () => {
    const short = await open();
    let settled = false;
    const long = openLocalControl(state.dir, { longLived: true }).then((control) => {
      settled = true;
      opened.push(control);
      return control;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    await short.close();
    const run = await long;
    expect(run.role).toBe('server');
  });

  it('a server waits for its live clients before it stops', async () => {
    const server = await open();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 500)']);
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    await writeFile(join(state.dir, 'clients', String(child.pid)), server.endpoint);
    const waitedFor: number[] = [];
    await server.close((n) => waitedFor.push(n));
    expect(waitedFor).toEqual([1]);
    expect(exited).toBe(true);
  });
});
