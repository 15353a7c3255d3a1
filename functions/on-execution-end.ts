// Lambda entry point for on-execution-end (EventBridge: Step Functions Execution Status Change): production wiring around the handler core.
// Each import names its module (no index files), so the bundle holds only what this function uses.
// Never touches a database: control deps only, so the bundle carries no driver or SQL parser.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { onExecutionEnd } from '../src/runtime/handlers/on-execution-end';
import { createControlDeps } from '../src/runtime/lambda/deps';
import { lambdaHandler } from '../src/runtime/lambda/handler';

export const handler = lambdaHandler('on-execution-end', onExecutionEnd, config, createControlDeps);
