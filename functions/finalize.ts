// Lambda entry point for Finalize: production wiring around the handler core.
import config from '../lowtide.config';
import { finalize } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('finalize', finalize, config);
