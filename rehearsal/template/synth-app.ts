// The CDK app the rehearsal synthesizes, run in its own process by synth.ts: the config file
// LOWTIDE_CONFIG names (the stage's generated config), with the stage's continueAsNewAfter, into
// the output directory given as the first argument.
import { buildApp } from '../../infra/build-app';
import { loadDeploymentConfig } from '../../infra/deployment-config';
import { stageFromEnv } from './stage';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: synth-app.ts <outdir>');
const stage = stageFromEnv(process.env);
const { config, configFile } = await loadDeploymentConfig();
const { app } = buildApp(config, {
  app: { outdir },
  configFile,
  continueAsNewAfter: stage.continueAsNewAfter,
});
app.synth();
