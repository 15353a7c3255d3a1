import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { stateEnv, useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli } from './support/cli-process';
import { accountsChecksum } from './support/table-checks';

interface PlanJson {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; reason: string }>;
  consentsFrom?: string;
}

describe.each(ENGINES)('lowtide plan runs the DDL guard a run runs, on %s', (engine) => {
  const t = useCliAccounts(engine, 20_000);
  const job = `test/cli/fixtures/ddl-backfill-${engine}.ts`;

  it('refuses a dangerous statement until its consent is in the local control state, then passes it', async () => {
    const before = await accountsChecksum(t.conn, engine);
    const refused = await runCli(['plan', job, '--database-url', t.db.url, '--no-sample'], {
      env: stateEnv(t),
    });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stdout).toMatch(/FAIL\s+ddl:ddl1-/);
    expect(refused.stdout).toContain('refused until an operator consents');
    expect(refused.stdout).toContain(`lowtide consent cli-ddl-backfill-${engine} <fingerprint>`);

    const json = parseJson<PlanJson>(
      await runCli(['--json', 'plan', job, '--database-url', t.db.url, '--no-sample'], { env: stateEnv(t) }),
    );
    const guard = json.checks.find((c) => c.name.startsWith('ddl:'));
    expect(guard).toMatchObject({ ok: false });
    const fingerprint = guard!.name.slice('ddl:'.length);

    const consented = await runCli(['consent', `cli-ddl-backfill-${engine}`, fingerprint, '--by', 'dana'], {
      env: stateEnv(t),
    });
    expect(consented.code, consented.stderr).toBe(0);

    const passed = await runCli(['--json', 'plan', job, '--database-url', t.db.url, '--no-sample'], {
      env: stateEnv(t),
    });
    expect(passed.code, passed.stderr).toBe(0);
    const after = parseJson<PlanJson>(passed);
    expect(after.ok).toBe(true);
    expect(after.consentsFrom).toContain('local control state');
    expect(after.checks.find((c) => c.name === `ddl:${fingerprint}`)?.reason).toContain('consented by dana');
    expect(await accountsChecksum(t.conn, engine)).toBe(before);
  });

  it('sees no consent without a local control state, and says so', async () => {
    const out = await runCli(['plan', job, '--database-url', t.db.url, '--no-sample'], {
      env: { LOWTIDE_STATE_DIR: `${t.state.dir}/none-here` },
    });
    expect(out.code, out.stderr).toBe(3);
    expect(out.stdout).toContain('no control state was read');
  });
});
