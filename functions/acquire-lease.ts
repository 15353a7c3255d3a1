// Lambda entry point for AcquireLease: production wiring around the handler core.
import config from '../lowtide.config';
import { acquireLease } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('acquire-lease', acquireLease, config);
