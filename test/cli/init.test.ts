import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CDK_CLI_VERSION, EXAMPLE_JOB_FILE } from '../../src/cli/init/templates';
import type { LowtideConfig } from '../../src/config';
import { REPO_ROOT, runCli } from './support/cli-process';

const FILES = [
  '.gitignore',
  'README.md',
  'cdk.json',
  'infra/app.ts',
  EXAMPLE_JOB_FILE,
  'lowtide.config.ts',
  'package.json',
  'tsconfig.json',
];

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? listFiles(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
    ),
  );
  return nested.flat().sort();
}

describe('lowtide init', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lowtide-init-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('scaffolds a jobs repository whose config validates and whose example plans on the embedded PostgreSQL', async () => {
    const project = join(root, 'Orders Jobs');
    const created = await runCli(['init', project]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('npx lowtide plan jobs/backfill-account-tier.ts');
    expect(await listFiles(project)).toEqual([...FILES].sort());

    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    const ours = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'orders-jobs', type: 'module', private: true });
    expect(pkg.dependencies).toEqual({
      lowtide: `^${ours.version}`,
      'aws-cdk-lib': ours.peerDependencies['aws-cdk-lib'],
      constructs: ours.peerDependencies.constructs,
      'cdk-nag': ours.peerDependencies['cdk-nag'],
    });
    // The CLI a new project pins is the one this repository synthesizes with.
    expect(pkg.devDependencies['aws-cdk']).toBe(AWS_CDK_CLI_VERSION);
    expect(ours.devDependencies['aws-cdk']).toBe(AWS_CDK_CLI_VERSION);
    expect(JSON.parse(await readFile(join(project, 'cdk.json'), 'utf8')).app).toBe('npx tsx infra/app.ts');
    expect(await readFile(join(project, '.gitignore'), 'utf8')).toMatch(/^node_modules$/m);
    expect(await readFile(join(project, 'infra/app.ts'), 'utf8')).toContain("from 'lowtide/cdk'");

    // `lowtide/config` and `lowtide` resolve to this repository's sources here (vitest.config.ts).
    const config = (await import(pathToFileURL(join(project, 'lowtide.config.ts')).href))
      .default as LowtideConfig;
    expect(config.name).toBe('orders-jobs');
    expect(config.jobs.map(({ job }) => job.id)).toEqual(['backfill-account-tier']);

    const plan = await runCli(['plan', join(project, EXAMPLE_JOB_FILE)], {
      env: { LOWTIDE_DEMO_ROWS: '2000' },
    });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "no database given for connection 'primary': planning on an embedded PostgreSQL (PGlite, in this process) with lowtide_demo_accounts seeded with 2,000 rows",
    );
    // Every tenth seeded row already has a tier; the example changes the other 1,800.
    expect(plan.stdout).toMatch(/estimated rows:\s+1,800\n/);
    expect(plan.stdout).toContain('preflight passed: a run would start.');
  });

  it('refuses a directory that is not empty, writing nothing, and writes over it with --force', async () => {
    const project = join(root, 'busy');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), '{"name":"mine"}\n');
    const refused = await runCli(['init', project]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`lowtide: ${project} is not empty (package.json)`);
    expect(refused.stderr).toContain('pass --force');
    expect(await listFiles(project)).toEqual(['package.json']);

    const forced = await runCli(['init', project, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await listFiles(project)).toEqual([...FILES].sort());
    expect(JSON.parse(await readFile(join(project, 'package.json'), 'utf8')).name).toBe('busy');
  });

  it('takes a directory that holds only .git', async () => {
    const project = join(root, 'fresh-clone');
    await mkdir(join(project, '.git'), { recursive: true });
    const created = await runCli(['init', project]);
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(join(project, 'lowtide.config.ts'))).toBe(true);
  });

  it('leaves nothing half-written when a file cannot be placed', async () => {
    const project = join(root, 'blocked');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), 'mine\n');
    // infra/app.ts comes after five other files; `infra` being a file stops it midway.
    await writeFile(join(project, 'infra'), 'not a directory\n');
    const failed = await runCli(['init', project, '--force']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`could not write ${join(project, 'infra/app.ts')}`);
    expect(failed.stderr).toContain(`nothing was changed in ${project}`);
    expect(await listFiles(project)).toEqual(['infra', 'package.json']);
    expect(await readFile(join(project, 'package.json'), 'utf8')).toBe('mine\n');
  });

  it('removes a directory it created when it fails', async () => {
    const parent = join(root, 'a-file');
    await writeFile(parent, 'x');
    const failed = await runCli(['init', join(parent, 'project')]);
    expect(failed.code).not.toBe(0);
    expect(await readFile(parent, 'utf8')).toBe('x');
  });
});
