// Lambda entry point for Preflight: production wiring around the handler core.
// Each import names its module (no index files), so the bundle holds only what this function uses.
// Touches the database: its deps carry the connections.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { preflight } from '../src/runtime/handlers/preflight';
import { createLambdaDeps } from '../src/runtime/lambda/database-deps';
import { lambdaHandler } from '../src/runtime/lambda/handler';

export const handler = lambdaHandler('preflight', preflight, config, createLambdaDeps);
