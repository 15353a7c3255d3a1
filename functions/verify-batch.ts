// Lambda entry point for VerifyBatch: production wiring around the handler core.
import config from '../lowtide.config';
import { verifyBatch } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('verify-batch', verifyBatch, config);
