// Lambda entry point for RecordFailure: production wiring around the handler core.
// Each import names its module (no index files), so the bundle holds only what this function uses.
// Never touches a database: control deps only, so the bundle carries no driver or SQL parser.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { recordFailure } from '../src/runtime/handlers/record-failure';
import { createControlDeps } from '../src/runtime/lambda/deps';
import { lambdaHandler } from '../src/runtime/lambda/handler';

export const handler = lambdaHandler('record-failure', recordFailure, config, createControlDeps);
