import { type ExecFileException, execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTable, verifyDemoTable } from '../../src/cli/demo/seed';
import { openDatabase } from '../../src/db/open-database';
import { createTestDatabase } from '../support/databases';

/**
 * The package as a user gets it: `npm pack` of a fresh build, installed into a new project, then
 * used the way the README says. No registry: the tarball is unpacked into node_modules/lowtide
 * and every other package is a symlink to this checkout's node_modules (`npm install --offline`
 * of the tarball would need all of lowtide's dependencies in npm's cache, which a checkout
 * installed by `npm ci` elsewhere need not have).
 */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Variables that would point the commands at a database or a state directory of the developer's. */
const SCRUBBED = ['DATABASE_URL', 'LOWTIDE_DATABASE_URL_PRIMARY', 'LOWTIDE_DEMO_ROWS', 'LOWTIDE_STATE_DIR'];

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<Ran> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', ...env };
  for (const name of SCRUBBED) if (!(name in env)) delete childEnv[name];
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, env: childEnv, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error: ExecFileException | null, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function expectOk(ran: Ran, what: string): void {
  expect(ran.code, `${what} failed:\n${ran.stdout}\n${ran.stderr}`).toBe(0);
}

/** Installs the unpacked package and links every other package of this checkout beside it. */
async function installOffline(tarball: string, project: string): Promise<void> {
  const modules = join(project, 'node_modules');
  await mkdir(join(modules, 'lowtide'), { recursive: true });
  expectOk(
    await run('tar', ['-xzf', tarball, '-C', join(modules, 'lowtide'), '--strip-components=1'], project),
    'tar',
  );
  for (const entry of await readdir(join(REPO_ROOT, 'node_modules'))) {
    if (entry === 'lowtide' || entry.startsWith('.')) continue;
    await symlink(join(REPO_ROOT, 'node_modules', entry), join(modules, entry), 'junction');
  }
}

describe('the npm package, installed into a new project', () => {
  let scratch: string;
  let project: string;
  let packedFiles: string[];
  const lowtide = (args: readonly string[], env?: Record<string, string>, cwd = project) =>
    run(process.execPath, [join(project, 'node_modules/lowtide/bin/lowtide.js'), ...args], cwd, env);

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'lowtide-pack-'));
    expectOk(await run('npm', ['run', 'build'], REPO_ROOT), 'npm run build');
    const packed = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch],
      REPO_ROOT,
    );
    expectOk(packed, 'npm pack');
    const [report] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    packedFiles = report.files.map((file) => file.path);

    project = join(scratch, 'jobs-repo');
    await mkdir(project);
    // `npx lowtide init` runs the bin of a package npx fetched; here, the same bin unpacked aside.
    const fetched = join(scratch, 'npx-cache');
    await installOffline(join(scratch, report.filename), fetched);
    const init = await run(
      process.execPath,
      [join(fetched, 'node_modules/lowtide/bin/lowtide.js'), 'init'],
      project,
    );
    expectOk(init, 'lowtide init');
    expect(init.stdout).toContain('created 8 files in .');
    await installOffline(join(scratch, report.filename), project);
  }, 240_000);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('packs the compiled code, the bin and the sources the functions bundle from, not the tests', () => {
    for (const file of ['dist/index.js', 'dist/config.js', 'dist/cdk.js', 'dist/cli.js', 'bin/lowtide.js'])
      expect(packedFiles).toContain(file);
    expect(packedFiles).toContain('dist/types/src/index.d.ts');
    expect(packedFiles).toContain('statemachines/maintenance-job.asl.json');
    expect(packedFiles).toContain('functions/apply-batch.ts');
    expect(packedFiles).toContain('src/index.ts');
    expect(packedFiles.filter((file) => /^(test|packaging|infra|rehearsal|bench)\//.test(file))).toEqual([]);
  });

  it('plans the example job on the embedded PostgreSQL, from the compiled CLI', async () => {
    const plan = await lowtide(['plan', 'jobs/backfill-account-tier.ts'], { LOWTIDE_DEMO_ROWS: '3000' });
    expectOk(plan, 'lowtide plan');
    expect(plan.stdout).toContain(
      "no database given for connection 'primary': planning on an embedded PostgreSQL (PGlite, in this process) with lowtide_demo_accounts seeded with 3,000 rows",
    );
    expect(plan.stdout).toContain("plan for job 'backfill-account-tier' (update on lowtide_demo_accounts)");
    // Every tenth seeded row already has a tier; the example changes the other 2,700.
    expect(plan.stdout).toMatch(/estimated rows:\s+2,700\n/);
    expect(plan.stdout).toContain('preflight passed: a run would start.');
  });

  it('runs the example to its end on a real PostgreSQL through the compiled local runtime', async () => {
    const server = await createTestDatabase('postgres');
    const db = openDatabase(server.url);
    try {
      await seedDemoTable(db, 3000);
      const state = join(scratch, 'state');
      const ran = await lowtide(
        [
          'run',
          'jobs/backfill-account-tier.ts',
          '--local',
          '--database-url',
          server.url,
          '--ms-per-second',
          '20',
        ],
        { LOWTIDE_STATE_DIR: state },
      );
      expectOk(ran, 'lowtide run --local');
      expect(ran.stdout).toMatch(/rows changed\s+2,700\n/);
      const table = await verifyDemoTable(db, 3000);
      expect(table).toMatchObject({ ok: true, changed: 2700, changedTwice: 0, presetTouched: 0 });
    } finally {
      await db.close();
      await server.drop();
    }
  });

  it('runs dist/, not the sources, and says what to do when a job cannot find lowtide', async () => {
    const elsewhere = join(scratch, 'not-installed');
    await mkdir(join(elsewhere, 'jobs'), { recursive: true });
    await writeFile(join(elsewhere, 'package.json'), JSON.stringify({ name: 'elsewhere', type: 'module' }));
    await writeFile(
      join(elsewhere, 'jobs/job.ts'),
      "import { defineJob } from 'lowtide';\nexport default defineJob({ id: 'x' } as never);\n",
    );
    const failed = await lowtide(['plan', 'jobs/job.ts', '--verbose'], {}, elsewhere);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(
      `lowtide: job file 'jobs/job.ts' imports 'lowtide', which is not installed for it: run npm install lowtide in ${elsewhere}\n`,
    );
    // The stack trace --verbose prints runs through the compiled CLI.
    expect(failed.stderr).toContain(join('node_modules', 'lowtide', 'dist', 'cli.js'));

    // The job's defineJob (dist/index.js) and the CLI share one JobSpecError: the spec's issues
    // are reported as such, not as a file that failed to load.
    await writeFile(
      join(project, 'jobs/invalid.ts'),
      "import { defineJob } from 'lowtide';\nexport default defineJob({ id: 'Not An Id' } as never);\n",
    );
    const invalid = await lowtide(['plan', 'jobs/invalid.ts']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^lowtide: jobs\/invalid.ts: invalid job/);
  });

  it('imports (and require()s) lowtide, lowtide/config and lowtide/cdk from plain Node, without tsx', async () => {
    const script = join(project, 'exports.mjs');
    await writeFile(
      script,
      [
        'const names = async (specifier) => Object.keys(await import(specifier)).sort();',
        "console.log(JSON.stringify({ index: await names('lowtide'), config: await names('lowtide/config'), cdk: await names('lowtide/cdk') }));",
      ].join('\n'),
    );
    const ran = await run(process.execPath, [script], project);
    expectOk(ran, 'node exports.mjs');
    const exported = JSON.parse(ran.stdout) as Record<string, string[]>;
    expect(exported.index).toEqual(
      expect.arrayContaining([
        'defineJob',
        'defineConfig',
        'sql',
        'SqlBuilder',
        'JobSpecError',
        'parseJobSpec',
        'DbError',
      ]),
    );
    expect(exported.config).toEqual(['ConfigError', 'defineConfig', 'parseConfig']);
    expect(exported.cdk).toEqual(
      expect.arrayContaining([
        'Lowtide',
        'LowtideStack',
        'LowtideFunctions',
        'ControlTable',
        'MaintenanceStateMachine',
        'buildApp',
      ]),
    );

    // A CommonJS CDK app (what `cdk init app --language typescript` makes) require()s the same
    // modules: package.json's `default` condition, and Node's require() of an ES module.
    const cjs = join(project, 'exports.cjs');
    await writeFile(
      cjs,
      "console.log(JSON.stringify([typeof require('lowtide').defineJob, typeof require('lowtide/cdk').Lowtide]));\n",
    );
    const required = await run(process.execPath, [cjs], project);
    expectOk(required, 'node exports.cjs');
    expect(JSON.parse(required.stdout)).toEqual(['function', 'function']);
  });

  it("typechecks the new project against the package's declarations", async () => {
    expectOk(
      await run(
        process.execPath,
        [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.'],
        project,
      ),
      'tsc',
    );
  });

  it('synthesizes the new project with cdk-nag passing, its own job inside the bundled functions', async () => {
    // `npm install` writes the lock file CDK's bundling requires (NodejsFunction's depsLockFilePath);
    // the offline install above links packages instead, so the test writes the smallest one npm reads.
    await writeFile(
      join(project, 'package-lock.json'),
      `${JSON.stringify({ name: 'jobs-repo', lockfileVersion: 3, requires: true, packages: { '': { name: 'jobs-repo' } } }, null, 2)}\n`,
    );
    const out = join(scratch, 'cdk.out');
    const synth = await run(
      process.execPath,
      [join(project, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--output', out],
      project,
      {
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      300_000,
    );
    expectOk(synth, 'cdk synth');
    const template = JSON.parse(await readFile(join(out, 'jobs-repo.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: { Handler?: string; Code?: { S3Key?: string } } }
      >;
    };
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler',
    );
    expect(functions).toHaveLength(10);
    // The job the project wrote travels in the functions' bundles, from the project's jobs/.
    const bundles = await Promise.all(
      functions.map((f) =>
        readFile(
          join(out, `asset.${String(f.Properties.Code?.S3Key).replace(/\.zip$/, '')}`, 'index.mjs'),
          'utf8',
        ),
      ),
    );
    expect(
      bundles.filter((code) => code.includes('lowtide_demo_accounts.tier from lifetime_value')).length,
    ).toBeGreaterThan(0);
  }, 330_000);

  it('rehearses the deployed artifacts in the new project: its job run on a local PostgreSQL, every row changed once', async () => {
    // The lock file CDK's bundling needs (see the synth case above), in case this case runs alone.
    await writeFile(
      join(project, 'package-lock.json'),
      `${JSON.stringify({ name: 'jobs-repo', lockfileVersion: 3, requires: true, packages: { '': { name: 'jobs-repo' } } }, null, 2)}\n`,
    );
    // Bad input is refused before anything is synthesized, saying what to change.
    const mismatched = await lowtide(['rehearse', '--database-url', 'mysql://root@127.0.0.1:3306/test']);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toContain("connection 'primary' is postgres but --database-url is a mysql URL");

    // The IAM evaluator is an optional peer dependency (AGPL): without it, the command says what to install.
    const evaluator = join(project, 'node_modules/@cloud-copilot');
    await rename(evaluator, `${evaluator}.aside`);
    const withoutEvaluator = await lowtide([
      'rehearse',
      '--database-url',
      'postgres://127.0.0.1/none',
    ]).finally(() => rename(`${evaluator}.aside`, evaluator));
    expect(withoutEvaluator.code).toBe(2);
    expect(withoutEvaluator.stderr).toContain(
      'lowtide rehearse needs the package @cloud-copilot/iam-simulate, which is not installed: run npm install --save-dev @cloud-copilot/iam-simulate',
    );

    const server = await createTestDatabase('postgres');
    const db = openDatabase(server.url);
    try {
      const rehearsed = await run(
        process.execPath,
        [
          join(project, 'node_modules/lowtide/bin/lowtide.js'),
          'rehearse',
          '--database-url',
          server.url,
          '--seed-example',
        ],
        project,
        { LOWTIDE_DEMO_ROWS: '3000', CDK_DISABLE_CLI_TELEMETRY: 'true' },
        300_000,
      );
      expectOk(rehearsed, 'lowtide rehearse');
      expect(rehearsed.stdout).toMatch(
        /job backfill-account-tier: completed \(SUCCEEDED Completed\), 2,700 rows changed, /,
      );
      expect(rehearsed.stdout).toContain('example table: 2,700 rows changed, each exactly once');
      // Each function's bundle, from the project's own synth.
      expect(rehearsed.stdout).toMatch(/\n {2}applyBatch +\d+\.\d\d MB JS .* init \d+ ms/);
      expect(rehearsed.stdout).toContain('rehearsal passed.');
      // The database's word, not the command's: the seeded table changed exactly once per target row.
      const table = await verifyDemoTable(db, 3000);
      expect(table).toMatchObject({ ok: true, changed: 2700, changedTwice: 0, presetTouched: 0 });
    } finally {
      await db.close();
      await server.drop();
    }
  }, 330_000);
});
