import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../../rehearsal/lambda/run-node';
import { copyOut, type FunctionAsset, functionAssets } from './support/assets';
import type { CfnTemplate } from './support/synth';
import { makeUserRepository, USER_MARKERS, type UserRepository } from './support/user-repository';

let repo: UserRepository;
let outdir: string;
let synth: ReturnType<typeof spawnSync>;
let assets: FunctionAsset[];
const cleanups: string[] = [];

/** The environment of a machine with no AWS account configured and nothing to phone home to. */
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(outdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(outdir, 'no-credentials'),
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    ...extra,
  };
}

/** `npx cdk synth` in the team's repository: its cdk.json, its app, the CLI it installed. */
function cdkSynth(args: string[], output: string, env?: Record<string, string>) {
  return spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', output, ...args], {
    cwd: repo.root,
    env: offlineEnv(env),
    encoding: 'utf8',
    timeout: 300_000,
  });
}

beforeAll(() => {
  repo = makeUserRepository();
  outdir = mkdtempSync(path.join(tmpdir(), 'lowtide-user-repo-out-'));
  cleanups.push(repo.root, outdir);
  synth = cdkSynth([], outdir);
  if (synth.status !== 0) return;
  const template = JSON.parse(
    readFileSync(path.join(outdir, 'UserJobs.template.json'), 'utf8'),
  ) as CfnTemplate;
  assets = functionAssets(template, outdir);
}, 330_000);

afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

const bundleOf = (asset: FunctionAsset) => readFileSync(path.join(asset.dir, 'index.mjs'), 'utf8');
const sourcesOf = (asset: FunctionAsset) =>
  (
    JSON.parse(readFileSync(path.join(asset.dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }
  ).sources.map((source) => path.resolve(asset.dir, source));

/** Imports a bundle as the Lambda Node.js runtime does (an ES module from the task root). */
const IMPORT_HANDLER = `
const m = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
console.log(JSON.stringify({ handler: typeof m.handler }));
`;

describe('a team repository with lowtide installed in node_modules', () => {
  it('synthesizes with `npx cdk synth`, cdk-nag passing, all ten functions bundled', () => {
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);
    expect(assets).toHaveLength(10);
  });

  it('runs the cdk-nag checks in that synth: a stack with a finding fails it', () => {
    // The app adds a queue cdk-nag refuses when asked; synthesizing only that stack skips bundling.
    const probe = cdkSynth(['NagProbe', '--exclusively'], path.join(outdir, 'probe'), {
      LOWTIDE_TEST_NAG_PROBE: '1',
    });
    const output = `${probe.stdout}\n${probe.stderr}`;
    expect(probe.status, output).not.toBe(0);
    expect(output).toContain('AwsSolutions-SQS4');
    // Every finding is the probe's: the Lowtide stack, validated in the same run, has none.
    const findings = output.split('\n').filter((line) => /^\s+\S+\/\S+ aws-cdk-lib\./.test(line));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((line) => !line.trim().startsWith('NagProbe/'))).toEqual([]);
  }, 120_000);

  it("bundles the team's config and job, and what the job imports from the team's node_modules", () => {
    const applyBatch = assets.find((a) => a.name === 'applyBatch')!;
    const code = bundleOf(applyBatch);
    for (const marker of Object.values(USER_MARKERS)) expect(code).toContain(marker);
    const sources = sourcesOf(applyBatch);
    expect(sources).toContain(path.join(repo.root, 'jobs/purge-probe.ts'));
    expect(sources).toContain(path.join(repo.root, 'lowtide.config.ts'));
    expect(sources).toContain(path.join(repo.packageRoot, 'functions/apply-batch.ts'));
    // Every function knows the team's job: each looks jobs up in the bundled config.
    for (const asset of assets)
      expect({ name: asset.name, bundled: bundleOf(asset).includes(USER_MARKERS.jobId) }).toEqual({
        name: asset.name,
        bundled: true,
      });
  });

  it("resolves the job's `lowtide` imports to the function's own copy of lowtide: the installed source, once", () => {
    const userFiles = [
      path.join(repo.root, 'jobs/purge-probe.ts'),
      path.join(repo.root, 'lowtide.config.ts'),
    ];
    const dist = path.join(repo.packageRoot, 'dist');
    for (const asset of assets) {
      const sources = sourcesOf(asset);
      // TypeScript outside any node_modules, or anything from the package: lowtide's and the team's own modules.
      const own = sources.filter(
        (source) =>
          source.startsWith(repo.packageRoot) ||
          (source.endsWith('.ts') && !source.includes(`${path.sep}node_modules${path.sep}`)),
      );
      expect({
        name: asset.name,
        // Not this checkout's source, not the package's compiled exports.
        strays: own.filter((source) => !source.startsWith(repo.packageRoot) && !userFiles.includes(source)),
        fromDist: own.filter((source) => source.startsWith(dist)),
        defineJob: own.filter((source) => source.endsWith(path.join('src', 'job', 'define-job.ts'))),
      }).toEqual({
        name: asset.name,
        strays: [],
        fromDist: [],
        defineJob: [path.join(repo.packageRoot, 'src/job/define-job.ts')],
      });
    }
  });

  it('produces bundles that load outside the repository and export a handler function', async () => {
    for (const asset of assets) {
      const copy = copyOut(asset.dir);
      cleanups.push(copy);
      const run = await runNode(copy, IMPORT_HANDLER, {
        NODE_OPTIONS: '--enable-source-maps',
        LAMBDA_TASK_ROOT: copy,
      });
      expect({ name: asset.name, code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({
        name: asset.name,
        code: 0,
        stderr: '',
      });
      expect(JSON.parse(run.stdout)).toEqual({ handler: 'function' });
    }
  }, 120_000);
});
