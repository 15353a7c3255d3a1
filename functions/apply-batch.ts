// Lambda entry point for ApplyBatch: production wiring around the handler core.
// Each import names its module (no index files), so the bundle holds only what this function uses.
// Touches the database: its deps carry the connections.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { applyBatch } from '../src/runtime/handlers/apply-batch';
import { createLambdaDeps } from '../src/runtime/lambda/database-deps';
import { lambdaHandler } from '../src/runtime/lambda/handler';

export const handler = lambdaHandler('apply-batch', applyBatch, config, createLambdaDeps);
