// `npx cdk synth` / `npx cdk deploy` run this file (see cdk.json). No context lookups: synth works
// offline and without AWS credentials; the stack is environment-agnostic and deploys to whatever
// account and region the CLI's credentials name.
import config from '../lowtide.config';
import { buildApp } from './build-app';

buildApp(config);
