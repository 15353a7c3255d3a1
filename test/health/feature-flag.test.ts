import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appConfigFlagReader,
  createFlagBoard,
  evaluateHealth,
  fileFlagReader,
  HEALTH_SIGNALS,
  httpFlagReader,
} from '../../src/health';
import { featureFlag } from '../../src/health/signals/feature-flag';
import { context, gatedJob } from './support';

const ref = { application: 'app1234', environment: 'env1234', profile: 'prf1234', flag: 'maintenance' };

/** A fake AppConfig data API: one profile, a document the test changes, single-use tokens. */
function fakeAppConfig(initial: unknown) {
  let document = JSON.stringify(initial);
  let version = 1;
  const calls: string[] = [];
  const tokens = new Map<string, number>();
  let next = 0;
  const issue = (seen: number) => {
    const token = `t${next++}`;
    tokens.set(token, seen);
    return token;
  };
  return {
    calls,
    set(value: unknown) {
      document = JSON.stringify(value);
      version++;
    },
    async send(command: unknown) {
      if (command instanceof StartConfigurationSessionCommand) {
        calls.push('start');
        expect(command.input).toMatchObject({
          ApplicationIdentifier: 'app1234',
          EnvironmentIdentifier: 'env1234',
          ConfigurationProfileIdentifier: 'prf1234',
        });
        return { InitialConfigurationToken: issue(0) };
      }
      if (command instanceof GetLatestConfigurationCommand) {
        calls.push('get');
        const token = command.input.ConfigurationToken!;
        const seen = tokens.get(token);
        if (seen === undefined) throw new Error('BadRequestException: token used or unknown');
        tokens.delete(token);
        const fresh = seen !== version;
        return {
          NextPollConfigurationToken: issue(version),
          NextPollIntervalInSeconds: 15,
          Configuration: fresh ? new TextEncoder().encode(document) : new Uint8Array(),
        };
      }
      throw new Error('unexpected command');
    },
  };
}

describe('the AppConfig flag reader', () => {
  it('starts one session, then polls with the next token only when the poll interval is over', async () => {
    const appconfig = fakeAppConfig({ maintenance: { enabled: true } });
    let now = 0;
    const reader = appConfigFlagReader(appconfig as never, () => now);
    expect(await reader.isEnabled(ref)).toBe(true);
    expect(await Promise.all([reader.isEnabled(ref), reader.isEnabled(ref)])).toEqual([true, true]);
    expect(appconfig.calls).toEqual(['start', 'get']);

    appconfig.set({ maintenance: { enabled: false } });
    now += 14_000;
    expect(await reader.isEnabled(ref)).toBe(true); // cached until the interval is over
    now += 1_000;
    expect(await reader.isEnabled(ref)).toBe(false);
    now += 15_000;
    // Unchanged: AppConfig answers an empty configuration and the cached document stands.
    expect(await reader.isEnabled(ref)).toBe(false);
    expect(appconfig.calls).toEqual(['start', 'get', 'get', 'get']);
  });

  it('drops a session whose poll failed and starts a new one', async () => {
    const appconfig = fakeAppConfig({ maintenance: { enabled: true } });
    let now = 0;
    const reader = appConfigFlagReader(appconfig as never, () => now);
    await reader.isEnabled(ref);
    const send = appconfig.send;
    appconfig.send = async () => {
      throw new Error('AccessDeniedException');
    };
    now += 15_000;
    await expect(reader.isEnabled(ref)).rejects.toThrow('AccessDenied');
    appconfig.send = send;
    expect(await reader.isEnabled(ref)).toBe(true);
    expect(appconfig.calls).toEqual(['start', 'get', 'start', 'get']);
  });

  it('refuses a document without the flag or without a boolean enabled', async () => {
    const reader = appConfigFlagReader(fakeAppConfig({ other: { enabled: true } }) as never);
    await expect(reader.isEnabled(ref)).rejects.toThrow("has no flag 'maintenance'");
    const odd = appConfigFlagReader(fakeAppConfig({ maintenance: { enabled: 'yes' } }) as never);
    await expect(odd.isEnabled(ref)).rejects.toThrow('no boolean "enabled"');
  });
});

describe('local flag sources', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lowtide-flags-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the flags file afresh each time; a missing file or bad JSON cannot be read', async () => {
    const file = join(dir, 'lowtide.flags.json');
    const reader = fileFlagReader(file);
    await expect(reader.isEnabled(ref)).rejects.toThrow('cannot be read');
    await writeFile(file, JSON.stringify({ maintenance: { enabled: false } }));
    expect(await reader.isEnabled(ref)).toBe(false);
    await writeFile(file, JSON.stringify({ maintenance: { enabled: true } }));
    expect(await reader.isEnabled(ref)).toBe(true);
    await writeFile(file, '{ not json');
    await expect(reader.isEnabled(ref)).rejects.toThrow('is not JSON');
  });

  it('reads an HTTP endpoint with the same document', async () => {
    let body = JSON.stringify({ maintenance: { enabled: true } });
    let status = 200;
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flags`;
    try {
      const reader = httpFlagReader(url);
      expect(await reader.isEnabled(ref)).toBe(true);
      body = JSON.stringify({ maintenance: { enabled: false } });
      expect(await reader.isEnabled(ref)).toBe(false);
      status = 503;
      await expect(reader.isEnabled(ref)).rejects.toThrow('HTTP 503');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the feature-flag signal', () => {
  it('is ok with no flag, and with every flag on', async () => {
    expect((await featureFlag.read(context())).verdict).toBe('ok');
    const flags = createFlagBoard({ maintenance: true });
    expect((await featureFlag.read(context({ flags, featureFlags: [ref] }))).verdict).toBe('ok');
  });

  it('waits with reason flag:<name> when off and the job auto-resumes, pauses when it does not', async () => {
    const flags = createFlagBoard({ maintenance: false });
    const waiting = await featureFlag.read(context({ flags, featureFlags: [ref] }));
    expect(waiting).toMatchObject({ verdict: 'wait', pauseReason: 'flag:maintenance' });
    expect(waiting.reason).toContain('flag:maintenance');
    const spec = gatedJob({ autoResume: false });
    const pausing = await featureFlag.read(context({ spec, flags, featureFlags: [ref] }));
    expect(pausing).toMatchObject({ verdict: 'pause', pauseReason: 'flag:maintenance' });
  });

  it('counts an unreadable flag as off, with the error in the reason', async () => {
    const decision = await evaluateHealth(
      HEALTH_SIGNALS.filter((s) => s.name === 'feature-flag'),
      context({ flags: createFlagBoard(), featureFlags: [ref] }),
    );
    expect(decision.verdict).toBe('wait');
    expect(decision.decisive?.reason).toMatch(
      /could not be read, so it counts as off: no flag 'maintenance'/,
    );
  });
});
