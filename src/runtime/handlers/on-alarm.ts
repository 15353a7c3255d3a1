import { z } from 'zod';
import type { HandlerDeps } from '../deps';
import { parsePayload } from './common';

/** The EventBridge event "CloudWatch Alarm State Change" (only the fields used). */
const alarmEventSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  resources: z.array(z.string()).default([]),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), reason: z.string().optional() }),
  }),
});

export interface AlarmHandled {
  readonly alarmName: string;
  readonly state: string;
  readonly jobs: ReadonlyArray<{ jobId: string; action: 'paused' | 'resumed' | 'none' }>;
}

/**
 * An alarm that gates jobs changed state. Unhealthy (ALARM, or INSUFFICIENT_DATA unless the job
 * tolerates it): each job it gates gets a pause request `alarm:NAME`; a running execution applies it
 * after its current batch. Back to OK: jobs with autoResume get it cleared. Jobs that never ran are
 * left alone: their health gate reads the alarm when they start.
 */
export async function onAlarm(event: unknown, deps: HandlerDeps): Promise<AlarmHandled> {
  const { detail, resources } = parsePayload(alarmEventSchema, event, 'CloudWatch alarm event');
  const { alarmName } = detail;
  const value = detail.state.value;
  const jobs: Array<{ jobId: string; action: 'paused' | 'resumed' | 'none' }> = [];
  for (const spec of deps.jobs().filter((s) => deps.alarmsFor(s).includes(alarmName))) {
    const job = await deps.store.getJob(spec.id);
    const unhealthy =
      value === 'ALARM' || (value === 'INSUFFICIENT_DATA' && spec.health.insufficientDataIsUnhealthy);
    let action: 'paused' | 'resumed' | 'none' = 'none';
    if (job && unhealthy) {
      const message = `alarm ${alarmName} is ${value}${detail.state.reason ? `: ${detail.state.reason}` : ''}`;
      await deps.store.requestPause(spec.id, {
        reason: `alarm:${alarmName}`,
        by: resources[0] ?? alarmName,
        message,
      });
      action = 'paused';
    } else if (
      job &&
      value === 'OK' &&
      spec.health.autoResume &&
      job.pauseRequests.some((r) => r.reason === `alarm:${alarmName}`)
    ) {
      await deps.store.clearPause(spec.id, `alarm:${alarmName}`);
      action = 'resumed';
    }
    jobs.push({ jobId: spec.id, action });
  }
  deps.logger.info('alarm state change', { alarmName, state: value, jobs });
  return { alarmName, state: value, jobs };
}
