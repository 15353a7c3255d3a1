// `npx cdk synth` / `npx cdk deploy` run this file (see cdk.json). No context lookups: synth works
// offline and without AWS credentials; the stack is environment-agnostic and deploys to whatever
// account and region the CLI's credentials name.
// LOWTIDE_CONFIG=path/to/config.ts synthesizes that config instead of lowtide.config.ts; the
// functions then bundle that file too.
import { assertConfigAuthorSql } from '../src/config/author-sql-gate';
import { buildApp } from './build-app';
import { loadDeploymentConfig } from './deployment-config';

const { config, configFile } = await loadDeploymentConfig();
// Author SQL the engine's parser refuses would be refused at preflight; refuse it before deploying.
await assertConfigAuthorSql(config);
buildApp(config, { configFile });
