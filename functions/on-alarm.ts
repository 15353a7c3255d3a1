// Lambda entry point for on-alarm (EventBridge: CloudWatch Alarm State Change): production wiring around the handler core.
// The deployment config: lowtide.config.ts, or the file `LOWTIDE_CONFIG` names at synth.
import config from '#lowtide-config';
import { onAlarm } from '../src/runtime/handlers';
import { lambdaHandler } from '../src/runtime/lambda';

export const handler = lambdaHandler('on-alarm', onAlarm, config);
