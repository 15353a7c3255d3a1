import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV, loadDeploymentConfig } from '../../infra/deployment-config';
import { REPO_ROOT } from '../../infra/paths';
import { functionAssets } from './support/assets';
import type { CfnTemplate } from './support/synth';

const work = mkdtempSync(path.join(tmpdir(), 'lowtide-config-file-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A config outside the repository with a job id that appears nowhere in it. */
const JOB_ID = 'probe-purge-7f3a9c';
const configFile = path.join(work, 'other.config.ts');
writeFileSync(
  configFile,
  `import { defineConfig, defineJob } from ${JSON.stringify(path.join(REPO_ROOT, 'src/index.ts'))};

const job = defineJob({
  id: '${JOB_ID}',
  owner: 'probe',
  description: 'A job only this config has',
  engine: 'postgres',
  database: 'local',
  kind: 'delete',
  table: 'sessions',
  key: 'id',
  where: 'expires_at < now()',
});

export default defineConfig({
  name: 'probe',
  connections: {
    local: {
      engine: 'postgres',
      host: '127.0.0.1',
      database: 'probe',
      auth: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:probe/local-AbCdEf' },
    },
  },
  jobs: [{ job }],
});
`,
);

function offlineEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(work, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-credentials'),
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    ...extra,
  };
}

describe(`${CONFIG_ENV}`, () => {
  it('refuses a file that does not exist or exports no config', async () => {
    await expect(loadDeploymentConfig({ [CONFIG_ENV]: 'missing.config.ts' }, work)).rejects.toThrow(
      /LOWTIDE_CONFIG=missing.config.ts: no such file/,
    );
    const empty = path.join(work, 'empty.config.ts');
    writeFileSync(empty, 'export const x = 1;\n');
    await expect(loadDeploymentConfig({ [CONFIG_ENV]: empty }, work)).rejects.toThrow(
      /no lowtide config as its default export/,
    );
  });

  it('makes `npx cdk synth` build that config and bundle it into every function', () => {
    const outdir = path.join(work, 'cdk.out');
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: REPO_ROOT,
      env: offlineEnv({ [CONFIG_ENV]: configFile }),
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const template = JSON.parse(
      readFileSync(path.join(outdir, 'probe.template.json'), 'utf8'),
    ) as CfnTemplate;
    const assets = functionAssets(template, outdir);
    for (const asset of assets) {
      const code = readFileSync(path.join(asset.dir, 'index.mjs'), 'utf8');
      expect({ name: asset.name, bundlesProbe: code.includes(JOB_ID) }).toEqual({
        name: asset.name,
        bundlesProbe: true,
      });
      expect(code.includes('backfill-account-tier')).toBe(false);
    }
  }, 300_000);
});
