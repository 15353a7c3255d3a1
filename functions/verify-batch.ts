// Lambda entry point for VerifyBatch: production wiring around the handler core.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { verifyBatch } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('verify-batch', verifyBatch, config);
