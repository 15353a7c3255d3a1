import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../infra/paths';

/**
 * A team's own jobs repository with lowtide installed as a package, built in the system's temp
 * directory: its package.json and lock file, a node_modules where `lowtide` is a copy of this
 * checkout's package files and every other package a link into this checkout's node_modules (no
 * registry), a dependency only the team has, its config, its job, and a CDK app that places the
 * Lowtide construct the way a team's infrastructure would.
 */
export interface UserRepository {
  readonly root: string;
  /** node_modules/lowtide: the installed package. */
  readonly packageRoot: string;
  cleanup(): void;
}

/** Strings only the team's files hold: the test looks for them in the bundles. */
export const USER_MARKERS = {
  jobId: 'user-repo-purge-4d7e1b',
  /** In the where clause of the job file. */
  jobCode: 'user-repo-marker-4d7e1b',
  /** Exported by a package in the team's node_modules that this checkout does not have. */
  dependency: 'user-repo-retention-9c2f05',
} as const;

/**
 * Which of the package's files the copy holds: what package.json `files` ships, and the folders
 * the functions and the construct are built from. dist/ is not built here: the CDK app takes
 * lowtide's TypeScript source through the `lowtide-source` export condition, which only that
 * process sets, so a bundle that resolved `lowtide` through package.json would look for dist/ and
 * fail. The bundles reach lowtide's source only through the aliases the construct gives esbuild.
 */
const PACKAGE_FOLDERS = ['functions', 'statemachines', 'src', 'infra'];
const SOURCE_CONDITION = 'lowtide-source';
const EXPORTS = {
  '.': { [SOURCE_CONDITION]: './src/index.ts', default: './dist/index.js' },
  './config': { [SOURCE_CONDITION]: './src/config/index.ts', default: './dist/config.js' },
  './cdk': { [SOURCE_CONDITION]: './infra/index.ts', default: './dist/cdk.js' },
};

/** What must not be linked: the package under test, and this checkout's own caches. */
const NOT_LINKED = new Set(['lowtide', '.package-lock.json', '.vite', '.vite-temp', '.cache']);

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function installPackage(nodeModules: string): string {
  const packageRoot = path.join(nodeModules, 'lowtide');
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    files?: string[];
  };
  const shipped = (manifest.files ?? []).filter((entry) => entry !== 'dist');
  for (const entry of new Set([...PACKAGE_FOLDERS, ...shipped])) {
    if (existsSync(path.join(REPO_ROOT, entry)))
      cpSync(path.join(REPO_ROOT, entry), path.join(packageRoot, entry), { recursive: true });
  }
  write(
    path.join(packageRoot, 'package.json'),
    `${JSON.stringify({ ...manifest, exports: EXPORTS }, null, 2)}\n`,
  );
  return packageRoot;
}

function linkDependencies(nodeModules: string): void {
  const installed = path.join(REPO_ROOT, 'node_modules');
  for (const name of readdirSync(installed)) {
    if (NOT_LINKED.has(name)) continue;
    symlinkSync(path.join(installed, name), path.join(nodeModules, name), 'junction');
  }
}

const JOB = `import { defineJob } from 'lowtide';
import { RETENTION_NOTE } from 'user-retention';

/** A job only this repository has. */
export default defineJob({
  id: '${USER_MARKERS.jobId}',
  owner: 'user-repo',
  description: 'Purges the probe rows only the user repository knows',
  engine: 'postgres',
  database: 'local',
  kind: 'delete',
  table: 'sessions',
  key: 'id',
  where: \`note = '${USER_MARKERS.jobCode}' or note = '\${RETENTION_NOTE}'\`,
});
`;

const CONFIG = `import { defineConfig } from 'lowtide/config';
// Through the repository's own tsconfig \`paths\`: its settings apply to its own files.
import purgeProbe from '@jobs/purge-probe';

export default defineConfig({
  name: 'user-jobs',
  connections: {
    local: {
      engine: 'postgres',
      host: '127.0.0.1',
      database: 'probe',
      auth: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:probe/local-AbCdEf' },
    },
  },
  jobs: [{ job: purgeProbe }],
});
`;

const APP = `import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Lowtide } from 'lowtide/cdk';
import config from '../lowtide.config';

const app = new App();
const stack = new Stack(app, 'UserJobs');
new Lowtide(stack, 'Lowtide', {
  config,
  configFile: fileURLToPath(new URL('../lowtide.config.ts', import.meta.url)),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

// For the test only: a stack with a queue cdk-nag refuses, to show the synth runs the checks.
if (process.env.LOWTIDE_TEST_NAG_PROBE) new Queue(new Stack(app, 'NagProbe'), 'Refused');
`;

export function makeUserRepository(): UserRepository {
  const root = mkdtempSync(path.join(tmpdir(), 'lowtide-user-repo-'));
  const nodeModules = path.join(root, 'node_modules');
  mkdirSync(nodeModules);
  const packageRoot = installPackage(nodeModules);
  linkDependencies(nodeModules);
  write(
    path.join(nodeModules, 'user-retention/package.json'),
    JSON.stringify({ name: 'user-retention', version: '1.0.0', type: 'module', main: 'index.js' }),
  );
  write(
    path.join(nodeModules, 'user-retention/index.js'),
    `export const RETENTION_NOTE = '${USER_MARKERS.dependency}';\n`,
  );
  const manifest = {
    name: 'user-jobs',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { lowtide: '0.1.0', 'user-retention': '1.0.0' },
  };
  write(path.join(root, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  write(
    path.join(root, 'package-lock.json'),
    `${JSON.stringify({ name: 'user-jobs', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': manifest } }, null, 2)}\n`,
  );
  write(
    path.join(root, 'tsconfig.json'),
    `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, baseUrl: '.', paths: { '@jobs/*': ['./jobs/*'] } } }, null, 2)}\n`,
  );
  write(
    path.join(root, 'cdk.json'),
    `${JSON.stringify({ app: `node --conditions=${SOURCE_CONDITION} --import tsx infra/app.ts`, context: { 'cli-telemetry': false } }, null, 2)}\n`,
  );
  write(path.join(root, 'jobs/purge-probe.ts'), JOB);
  write(path.join(root, 'lowtide.config.ts'), CONFIG);
  write(path.join(root, 'infra/app.ts'), APP);
  return { root, packageRoot, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
