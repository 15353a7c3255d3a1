import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidControlInputError } from '../../src/control/errors';
import { MAX_DDL_CONSENTS } from '../../src/control/types';
import { type ControlHarness, startControlHarness } from './harness';

const fp = (n: number) => `ddl1-${n.toString(16).padStart(16, '0')}`;

describe('DDL consents in the control store', () => {
  let h: ControlHarness;

  beforeAll(async () => {
    h = await startControlHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('records who consented and when, per fingerprint, on the job item', async () => {
    expect(await h.store.ddlConsents('add-index')).toEqual({});
    const consent = await h.store.recordDdlConsent('add-index', fp(1), { by: 'ops', note: 'quiet table' });
    expect(consent).toEqual({ by: 'ops', at: new Date(h.clock.ms).toISOString(), note: 'quiet table' });
    await h.store.recordDdlConsent('add-index', fp(2), { by: 'dba' });
    const consents = await h.store.ddlConsents('add-index');
    expect(Object.keys(consents).sort()).toEqual([fp(1), fp(2)]);
    expect(consents[fp(2)]?.by).toBe('dba');
    const job = await h.store.getJob('add-index');
    expect(job?.status).toBe('idle');
    expect(job?.ddlConsents?.[fp(1)]?.by).toBe('ops');
  });

  it('a repeat replaces the earlier consent; concurrent consents from two stores are both kept', async () => {
    await h.store.recordDdlConsent('twice', fp(1), { by: 'first' });
    h.clock.advance(1000);
    await h.store.recordDdlConsent('twice', fp(1), { by: 'second' });
    expect((await h.store.ddlConsents('twice'))[fp(1)]?.by).toBe('second');

    const other = h.newStore();
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        (i % 2 ? other : h.store).recordDdlConsent('race', fp(i), { by: `op${i}` }),
      ),
    );
    expect(Object.keys(await h.store.ddlConsents('race'))).toHaveLength(4);
  });

  it('does not disturb pause and abort decisions, and keeps the item bounded', async () => {
    await h.store.ensureJob('bounded');
    await h.store.requestPause('bounded', { reason: 'operator', by: 'ops' });
    for (let i = 0; i < MAX_DDL_CONSENTS; i++)
      await h.store.recordDdlConsent('bounded', fp(i), { by: 'ops' });
    await expect(h.store.recordDdlConsent('bounded', fp(MAX_DDL_CONSENTS), { by: 'ops' })).rejects.toThrow(
      /already holds 50 DDL consents/,
    );
    // Replacing one that is there is still allowed at the bound.
    await h.store.recordDdlConsent('bounded', fp(0), { by: 'again' });
    const job = await h.store.getJob('bounded');
    expect(job?.status).toBe('paused');
    expect(job?.pauseRequests.map((r) => r.by)).toEqual(['ops']);
  });

  it('refuses a malformed fingerprint or an anonymous consent', async () => {
    await expect(h.store.recordDdlConsent('bad', 'CREATE INDEX', { by: 'ops' })).rejects.toBeInstanceOf(
      InvalidControlInputError,
    );
    await expect(h.store.recordDdlConsent('bad', fp(1), { by: ' ' })).rejects.toBeInstanceOf(
      InvalidControlInputError,
    );
  });
});
