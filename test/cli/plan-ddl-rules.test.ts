import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases';
import { localArgs, stateEnv, useCliAccounts } from './support/cli-accounts';
import { parseJson, runCli } from './support/cli-process';

interface PlanJson {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; severity?: string; reason: string }>;
  ddlRulesFrom?: string[];
}

const RULE = { postgres: 'pg-create-index-without-concurrently', mysql: 'mysql-alter-copy' } as const;

describe.each(ENGINES)(
  'lowtide plan and run --local apply the repository’s rule settings, on %s',
  (engine) => {
    const t = useCliAccounts(engine, 20_000);
    const job = `test/cli/fixtures/ddl-rules/ddl-backfill-${engine}.ts`;
    const config = 'test/cli/fixtures/ddl-rules/lowtide.config.ts';

    it('the .lowtide-lint.json beside the job turns the rule to a warning; the deployment config turns it back', async () => {
      const warned = parseJson<PlanJson>(
        await runCli(['--json', 'plan', job, '--database-url', t.db.url, '--no-sample'], {
          env: stateEnv(t),
        }),
      );
      expect(warned.ok).toBe(true);
      expect(warned.ddlRulesFrom?.[0]).toMatch(/ddl-rules[\\/]\.lowtide-lint\.json$/);
      const guard = warned.checks.find((c) => c.name.startsWith('ddl:'));
      expect(guard).toMatchObject({ ok: false, severity: 'warning' });
      expect(guard?.reason).toContain(`[${RULE[engine]}]`);

      // The deployment config wins over the lint file: what the deployed gate would refuse, plan refuses.
      const refused = await runCli(
        ['plan', job, '--database-url', t.db.url, '--no-sample', '--config', config],
        {
          env: stateEnv(t),
        },
      );
      expect(refused.code, refused.stderr).toBe(3);
      expect(refused.stdout).toContain(`[${RULE[engine]}]`);

      // A local run under the deployment config stops at preflight, having changed nothing.
      const blocked = await runCli([...localArgs(t, 'run', job, 1), '--config', config], {
        env: stateEnv(t),
      });
      expect(blocked.code, blocked.stderr + blocked.stdout).toBe(3);
      expect(blocked.stdout).toContain(`[${RULE[engine]}]`);
      const [untouched] = await t.conn.query<{ n: string | number }>(
        'SELECT count(*) AS n FROM accounts WHERE applied_count > 0',
      );
      expect(Number(untouched?.n)).toBe(0);

      const ran = await runCli(localArgs(t, 'run', job, 1), { env: stateEnv(t) });
      expect(ran.code, ran.stderr + ran.stdout).toBe(0);
      const [left] = await t.conn.query<{ n: string | number }>(
        'SELECT count(*) AS n FROM accounts WHERE tier IS NULL',
      );
      expect(Number(left?.n)).toBe(0);
    });
  },
);
