// Lambda entry point for on-execution-end (EventBridge: Step Functions Execution Status Change): production wiring around the handler core.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { onExecutionEnd } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('on-execution-end', onExecutionEnd, config);
