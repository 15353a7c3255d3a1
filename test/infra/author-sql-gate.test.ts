import { describe, expect, it } from 'vitest';
import exampleConfig from '../../lowtide.config';
import { ConfigError, defineConfig } from '../../src/config';
import { assertConfigAuthorSql } from '../../src/config/author-sql-gate';
import { defineJob } from '../../src/job/define-job';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/primary-Ab12Cd';

describe('synth refuses author SQL the engine would not read', () => {
  it("passes the repository's own config", async () => {
    await expect(assertConfigAuthorSql(exampleConfig)).resolves.toBeUndefined();
  });

  it('names the job and the field', async () => {
    // Passes the lexical screen (one balanced expression), but PostgreSQL reads a FROM in it.
    const job = defineJob({
      id: 'purge-x',
      owner: 'data',
      engine: 'postgres',
      database: 'primary',
      table: 'sessions',
      key: 'id',
      kind: 'delete',
      where: 'true',
      verify: { invariant: 'true FROM sessions' },
      preflight: { checks: [{ name: 'wipe', sql: 'UPDATE sessions SET id = id RETURNING true' }] },
    });
    const config = defineConfig({
      connections: {
        primary: { engine: 'postgres', host: 'db.internal', database: 'app', auth: { secretArn: SECRET } },
      },
      jobs: [{ job }],
    });
    const refusal = await assertConfigAuthorSql(config).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).issues.map((i) => i.path)).toEqual([
      'jobs.0.job.verify.invariant',
      'jobs.0.job.preflight.checks.0.sql',
    ]);
    expect((refusal as ConfigError).message).toMatch(/verify\.invariant must be one SQL expression/);
  });
});
