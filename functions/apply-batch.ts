// Lambda entry point for ApplyBatch: production wiring around the handler core.
import config from '../lowtide.config';
import { applyBatch } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('apply-batch', applyBatch, config);
