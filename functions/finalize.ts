// Lambda entry point for Finalize: production wiring around the handler core.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { finalize } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('finalize', finalize, config);
