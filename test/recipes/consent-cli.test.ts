import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalControl } from '../../src/cli/control/local-control';
import { parseJson, runCli, tempStateDir } from '../cli/support/cli-process';

describe('lowtide consent <job> <fingerprint>', () => {
  let state: Awaited<ReturnType<typeof tempStateDir>>;

  beforeAll(async () => {
    state = await tempStateDir();
  });
  afterAll(async () => {
    await state?.remove();
  });

  it('records the consent with who and when in the local control state', async () => {
    const env = { LOWTIDE_STATE_DIR: state.dir };
    const out = await runCli(
      ['consent', 'add-index', 'ddl1-00000000000000ab', '--by', 'dana', '--note', 'small table', '--json'],
      { env },
    );
    expect(out.code).toBe(0);
    expect(parseJson(out)).toMatchObject({
      ok: true,
      jobId: 'add-index',
      consent: { by: 'dana', note: 'small table' },
    });

    const control = await openLocalControl(state.dir);
    try {
      const consents = await control.store.ddlConsents('add-index');
      expect(consents['ddl1-00000000000000ab']?.by).toBe('dana');
    } finally {
      await control.close();
    }
  });

  it('refuses something that is not a fingerprint, saying what to pass', async () => {
    const out = await runCli(['consent', 'add-index', 'CREATE INDEX x'], {
      env: { LOWTIDE_STATE_DIR: state.dir },
    });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/not a DDL statement fingerprint/);
  });
});
