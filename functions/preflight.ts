// Lambda entry point for Preflight: production wiring around the handler core.
import config from '../lowtide.config';
import { preflight } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('preflight', preflight, config);
