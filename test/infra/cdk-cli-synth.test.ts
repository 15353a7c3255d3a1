import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/paths';

const outdir = mkdtempSync(path.join(tmpdir(), 'lowtide-cdk-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The environment of a machine with no AWS account configured and nothing to phone home to. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(outdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(outdir, 'no-credentials'),
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

describe('npx cdk synth', () => {
  it('synthesizes the example deployment with the pinned CLI, without AWS credentials', () => {
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: REPO_ROOT,
      env: offlineEnv(),
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const template = JSON.parse(readFileSync(path.join(outdir, 'lowtide.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(10);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    // The CLI ran the app's cdk-nag plugin: a failing plugin would have failed the synth above.
    expect(existsSync(path.join(outdir, 'validation-report.json'))).toBe(true);
    const version = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'node_modules/aws-cdk/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(version.version).toBe('2.1148.1');
  }, 300_000);
});
