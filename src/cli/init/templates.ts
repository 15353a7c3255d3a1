import type { LowtidePackage } from './lowtide-package';

/**
 * The aws-cdk CLI a new project pins. `latest` (3.x) fails `cdk synth` of an aws-cdk-lib 2 app, so
 * a project takes the CLI lowtide itself is tested with, exactly (test/cli/init.test.ts holds the
 * two together).
 */
export const AWS_CDK_CLI_VERSION = '2.1148.1';

/** The example job `lowtide init` writes, on the table `lowtide plan` seeds when no database is given. */
export const EXAMPLE_JOB_FILE = 'jobs/backfill-account-tier.ts';
const CONFIG_FILE = 'lowtide.config.ts';

/** How a project file is imported: from the root (`./jobs/x`), or from infra/ (`../lowtide.config`). */
const importOf = (file: string, up = false) => `${up ? '../' : './'}${file.replace(/\.ts$/, '')}`;

/** A package name for the project from its directory's name; `lowtide-jobs` when none fits. */
export function projectName(directoryName: string): string {
  const name = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(name) ? name.slice(0, 60) : 'lowtide-jobs';
}

/** The config's `name` (prefix of every AWS resource): at most 24 characters, starting with a letter. */
function deploymentName(project: string): string {
  const name = project.slice(0, 24).replace(/-+$/, '');
  return /^[a-z][a-z0-9-]{0,23}$/.test(name) ? name : 'lowtide';
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function range(pkg: LowtidePackage, name: string): string {
  const version = pkg.peerDependencies[name] ?? pkg.dependencies[name] ?? pkg.devDependencies[name];
  if (!version) throw new Error(`lowtide's package.json names no version of ${name}`);
  return version;
}

/** Every file of a new jobs repository, by its path relative to the repository. */
export function projectFiles(project: string, pkg: LowtidePackage): Readonly<Record<string, string>> {
  return {
    'package.json': json({
      name: project,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: {
        plan: 'lowtide plan',
        typecheck: 'tsc --noEmit',
        synth: 'cdk synth',
        deploy: 'cdk deploy',
      },
      dependencies: {
        lowtide: `^${pkg.version}`,
        'aws-cdk-lib': range(pkg, 'aws-cdk-lib'),
        constructs: range(pkg, 'constructs'),
        'cdk-nag': range(pkg, 'cdk-nag'),
      },
      // esbuild: CDK bundles the functions with the project's own esbuild (npx --no-install) and
      // falls back to Docker without it.
      devDependencies: {
        'aws-cdk': AWS_CDK_CLI_VERSION,
        esbuild: range(pkg, 'esbuild'),
        '@types/node': range(pkg, '@types/node'),
        tsx: range(pkg, 'tsx'),
        typescript: range(pkg, 'typescript'),
      },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        isolatedModules: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['jobs', 'infra', '*.ts'],
      exclude: ['node_modules', 'cdk.out'],
    }),
    'cdk.json': json({
      app: 'npx tsx infra/app.ts',
      watch: { include: ['infra/**', 'jobs/**', 'lowtide.config.ts'], exclude: ['cdk.out', 'node_modules'] },
      notices: false,
      context: { 'cli-telemetry': false },
    }),
    [CONFIG_FILE]: CONFIG.replace('__NAME__', deploymentName(project)),
    [EXAMPLE_JOB_FILE]: EXAMPLE_JOB,
    'infra/app.ts': CDK_APP,
    '.gitignore': ['node_modules', 'cdk.out', '.lowtide', 'lowtide.connections.json', '*.log', ''].join('\n'),
    'README.md': README.replaceAll('__PROJECT__', project),
  };
}

const EXAMPLE_JOB = `import { defineJob } from 'lowtide';

/**
 * An example backfill: set \`tier\` from \`lifetime_value\` where it is still NULL, one bounded
 * batch at a time. \`npx lowtide plan ${EXAMPLE_JOB_FILE}\` with no database given plans it on an
 * embedded PostgreSQL that holds this table; replace it with a job on your own table.
 */
export default defineJob({
  id: 'backfill-account-tier',
  owner: 'data-platform',
  description: 'Set lowtide_demo_accounts.tier from lifetime_value where it is still NULL',
  engine: 'postgres',
  // The connection in lowtide.config.ts (deployed) or your local database URL (see the README).
  database: 'primary',
  kind: 'update',
  table: 'lowtide_demo_accounts',
  key: 'id',
  where: 'tier IS NULL',
  set: {
    tier: "CASE WHEN lifetime_value >= 1000 THEN 'gold' WHEN lifetime_value >= 100 THEN 'silver' ELSE 'standard' END",
    backfill_count: 'backfill_count + 1',
  },
  verify: { invariant: 'tier IS NOT NULL' },
  // Each transaction aims at 50 ms of row locks; one apply step runs them for up to 3 s.
  batch: { size: 1000, min: 200, max: 10_000, targetMs: 50, invocationBudgetMs: 3000 },
  limits: { lockTimeoutMs: 1000, statementTimeoutMs: 10_000 },
  preflight: { requireColumns: ['tier', 'lifetime_value', 'backfill_count'] },
});
`;

const CONFIG = `// The deployment: the databases, the jobs and their schedules. \`npx cdk synth\` builds the stack from
// this file, and every Lambda bundles it with the jobs it imports. Plain data only (no aws-cdk-lib).
// The host and secret below are placeholders: replace them with your database and its secret.
import { defineConfig } from 'lowtide/config';
import backfillAccountTier from '${importOf(EXAMPLE_JOB_FILE)}';

export default defineConfig({
  name: '__NAME__',
  // Without \`network\` the stack creates a VPC; to reach your databases, name theirs:
  // network: { vpcId: 'vpc-...', availabilityZones: ['eu-west-1a', 'eu-west-1b'], subnetIds: ['subnet-...', 'subnet-...'] },
  connections: {
    primary: {
      engine: 'postgres',
      host: 'orders.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      database: 'orders',
      auth: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/orders-AbCdEf' },
    },
  },
  jobs: [
    {
      job: backfillAccountTier,
      // 01:00 Berlin time every night, for at most two hours.
      schedule: { cron: '0 1 * * ? *', timeZone: 'Europe/Berlin', durationMinutes: 120 },
    },
  ],
});
`;

const CDK_APP = `// The CDK app \`npx cdk synth\` and \`npx cdk deploy\` run (cdk.json): one stack with lowtide's
// construct, built from lowtide.config.ts. cdk-nag's AwsSolutions checks fail synth on any finding.
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Lowtide } from 'lowtide/cdk';
import config from '${importOf(CONFIG_FILE, true)}';

const app = new App();
const stack = new Stack(app, config.name, {
  stackName: config.name,
  description: 'lowtide: online database maintenance jobs (Step Functions, Lambda, DynamoDB)',
});
new Lowtide(stack, 'Lowtide', {
  config,
  // The functions bundle this file, and through it your jobs: the file \`config\` came from.
  configFile: fileURLToPath(new URL('../${CONFIG_FILE}', import.meta.url)),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
`;

const README = `# __PROJECT__

Data-maintenance jobs run by [lowtide](https://www.npmjs.com/package/lowtide): each job is a
TypeScript file under \`jobs/\`; \`lowtide.config.ts\` lists the databases and the jobs deployed.

\`\`\`sh
npm install
npx lowtide plan ${EXAMPLE_JOB_FILE}          # the dry run; commits nothing
npx lowtide run ${EXAMPLE_JOB_FILE} --local \\
  --database-url postgres://user@host:5432/db     # run it to its end from this machine
npx lowtide rehearse --seed-example \\
  --database-url postgres://user@host:5432/scratch  # the synthesized stack, deployed into a local AWS, run
                                                  # (once: npm install --save-dev @cloud-copilot/iam-simulate)
npx cdk synth                                     # the stack, checked by cdk-nag
npx cdk deploy                                    # to the account your AWS credentials name
\`\`\`

With no database given, \`lowtide plan\` plans a PostgreSQL job on an embedded PostgreSQL that holds
the example's table. Point it at yours with \`--database-url\`, \`LOWTIDE_DATABASE_URL_PRIMARY\`, or
\`lowtide.connections.json\` (\`{ "primary": "postgres://..." }\`, kept out of git).

Before deploying, replace the placeholders in \`lowtide.config.ts\` (host, secret, network) and the
example job with your own. \`npx lowtide --help\` lists every command.
`;
