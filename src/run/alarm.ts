import { z } from 'zod';
import type { JobState, PauseReason, PauseRequest } from '../control/types';
import type { JobSpec } from '../job/types';

/** The EventBridge event "CloudWatch Alarm State Change" (only the fields used). */
export const alarmEventSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  resources: z.array(z.string()).default([]),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), reason: z.string().optional() }),
  }),
});

export type AlarmEvent = z.infer<typeof alarmEventSchema>;

export type AlarmDecision =
  | { readonly action: 'paused'; readonly request: Omit<PauseRequest, 'at'> }
  | { readonly action: 'resumed'; readonly reason: PauseReason }
  | { readonly action: 'none' };

/**
 * What an alarm's change of state asks of one job it gates. Unhealthy (ALARM, or INSUFFICIENT_DATA
 * unless the job tolerates it): a pause request `alarm:NAME`, which a running execution applies
 * after its current batch. Back to OK: the job's request withdrawn if it resumes on its own
 * (autoResume). A job that never ran (`job` undefined) is left alone: its health gate reads the
 * alarm when it starts.
 */
export function alarmDecision(
  { detail, resources }: AlarmEvent,
  spec: JobSpec,
  job?: JobState,
): AlarmDecision {
  const { alarmName, state } = detail;
  const reason: PauseReason = `alarm:${alarmName}`;
  const unhealthy =
    state.value === 'ALARM' ||
    (state.value === 'INSUFFICIENT_DATA' && spec.health.insufficientDataIsUnhealthy);
  if (job && unhealthy) {
    const message = `alarm ${alarmName} is ${state.value}${state.reason ? `: ${state.reason}` : ''}`;
    return { action: 'paused', request: { reason, by: resources[0] ?? alarmName, message } };
  }
  if (
    job &&
    state.value === 'OK' &&
    spec.health.autoResume &&
    job.pauseRequests.some((r) => r.reason === reason)
  )
    return { action: 'resumed', reason };
  return { action: 'none' };
}
