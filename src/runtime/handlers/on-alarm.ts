import { alarmDecision, alarmEventSchema } from '../../run/alarm';
import type { HandlerDeps } from '../deps';
import { parsePayload } from './common';

export interface AlarmHandled {
  readonly alarmName: string;
  readonly state: string;
  readonly jobs: ReadonlyArray<{ jobId: string; action: 'paused' | 'resumed' | 'none' }>;
}

/** An alarm that gates jobs changed state: each job it gates is paused or resumed (src/run/alarm.ts). */
export async function onAlarm(event: unknown, deps: HandlerDeps): Promise<AlarmHandled> {
  const alarm = parsePayload(alarmEventSchema, event, 'CloudWatch alarm event');
  const { alarmName, state } = alarm.detail;
  const jobs: Array<AlarmHandled['jobs'][number]> = [];
  for (const spec of deps.jobs().filter((s) => deps.alarmsFor(s).includes(alarmName))) {
    const decided = alarmDecision(alarm, spec, await deps.store.getJob(spec.id));
    if (decided.action === 'paused') await deps.store.requestPause(spec.id, decided.request);
    if (decided.action === 'resumed') await deps.store.clearPause(spec.id, decided.reason);
    jobs.push({ jobId: spec.id, action: decided.action });
  }
  deps.logger.info('alarm state change', { alarmName, state: state.value, jobs });
  return { alarmName, state: state.value, jobs };
}
