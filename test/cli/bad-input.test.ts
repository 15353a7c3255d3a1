import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, tempStateDir } from './support/cli-process';

const JOB = 'test/cli/fixtures/backfill-postgres.ts';
/** Nothing listens on port 1: the connection is refused at once. */
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/test';

function oneLineReason(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^lowtide: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  return lines[0]!;
}

describe('bad input: exit code 2 and a one-line reason', () => {
  let state: Awaited<ReturnType<typeof tempStateDir>>;
  beforeAll(async () => {
    state = await tempStateDir();
  });
  afterAll(async () => {
    await state?.remove();
  });

  it('a missing job file', async () => {
    const result = await runCli(['plan', 'test/cli/fixtures/no-such-job.ts', '--database-url', UNREACHABLE]);
    expect(result.code).toBe(2);
    expect(oneLineReason(result.stderr)).toContain("job file 'test/cli/fixtures/no-such-job.ts' not found");
    expect(result.stdout).toBe('');
  });

  it('an invalid job spec, naming every field to change', async () => {
    const result = await runCli([
      'run',
      'test/cli/fixtures/invalid-spec.ts',
      '--local',
      '--database-url',
      UNREACHABLE,
    ]);
    expect(result.code).toBe(2);
    const reason = oneLineReason(result.stderr);
    expect(reason).toContain("invalid job 'cli-invalid'");
    expect(reason).toContain('table: must be a table name');
    expect(reason).toContain('batch.size: size (5) must lie between min (10) and max (100)');
  });

  it('a job file without a default export', async () => {
    const result = await runCli([
      'plan',
      'test/cli/fixtures/no-default-export.ts',
      '--database-url',
      UNREACHABLE,
    ]);
    expect(result.code).toBe(2);
    expect(oneLineReason(result.stderr)).toContain('has no default export');
  });

  it('an unreachable database URL', async () => {
    const result = await runCli(['run', JOB, '--local', '--database-url', UNREACHABLE], {
      env: { LOWTIDE_STATE_DIR: state.dir },
    });
    expect(result.code).toBe(2);
    const reason = oneLineReason(result.stderr);
    expect(reason).toContain('cannot reach the database at postgres://postgres@127.0.0.1:1/test');
    expect(reason).toContain('ECONNREFUSED');
  });

  it('a URL for the wrong engine, and no URL at all for a run', async () => {
    const wrong = await runCli(['plan', JOB, '--database-url', 'mysql://root@127.0.0.1:1/test']);
    expect(wrong.code).toBe(2);
    expect(oneLineReason(wrong.stderr)).toContain(
      "job 'cli-backfill-postgres' is a postgres job but --database-url is a mysql URL",
    );
    // `plan` of a PostgreSQL job with no URL plans on an embedded PostgreSQL (test/cli/init.test.ts);
    // `run` never does: it needs the database the operator means.
    const none = await runCli(['run', JOB, '--local'], { env: { LOWTIDE_STATE_DIR: state.dir } });
    expect(none.code).toBe(2);
    expect(oneLineReason(none.stderr)).toContain(
      'pass --database-url, set LOWTIDE_DATABASE_URL_PRIMARY or DATABASE_URL',
    );
  });

  it('under --json, the same reason as a JSON document on stdout', async () => {
    const result = await runCli(['--json', 'plan', JOB, '--database-url', UNREACHABLE]);
    expect(result.code).toBe(2);
    const body = parseJson<{ ok: boolean; error: { kind: string; exitCode: number; message: string } }>(
      result,
    );
    expect(body).toMatchObject({ ok: false, error: { kind: 'bad-input', exitCode: 2 } });
    expect(body.error.message).toContain('cannot reach the database');
    expect(result.stderr).toBe('');
  });

  it('--verbose adds the stack trace', async () => {
    const result = await runCli(['--verbose', 'plan', JOB, '--database-url', UNREACHABLE]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^lowtide: cannot reach the database/);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it('a control command for a job that never ran', async () => {
    const result = await runCli(['status', 'never-ran-here'], { env: { LOWTIDE_STATE_DIR: state.dir } });
    expect(result.code).toBe(2);
    expect(oneLineReason(result.stderr)).toContain("job 'never-ran-here' has no control state");
  });

  it('an unknown command or a missing argument', async () => {
    expect((await runCli(['bogus'])).code).toBe(2);
    expect((await runCli(['plan'])).code).toBe(2);
  });
});
