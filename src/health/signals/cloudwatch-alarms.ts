import type { AlarmStatus, HealthContext, HealthSignal, SignalReading } from '../types';

function alarmNamesToRead(ctx: HealthContext): string[] {
  const requested = ctx.state.pauseRequests
    .map((r) => r.reason)
    .filter((r) => r.startsWith('alarm:'))
    .map((r) => r.slice('alarm:'.length));
  return [...new Set([...ctx.alarmNames, ...requested])];
}

function unhealthy(ctx: HealthContext, status: AlarmStatus | undefined): boolean {
  if (!status) return true; // a gate that cannot see its alarm must not assume it is fine
  if (status.state === 'ALARM') return true;
  return status.state === 'INSUFFICIENT_DATA' && ctx.spec.health.insufficientDataIsUnhealthy;
}

function describe(name: string, status: AlarmStatus | undefined): string {
  if (!status) return `alarm ${name} does not exist in CloudWatch: fix the name in the job's health.alarms`;
  return `alarm ${name} is ${status.state}${status.reason ? ` (${status.reason})` : ''}`;
}

/**
 * CloudWatch alarms (metric and composite): the job's own, the deployment's (replica lag), and any
 * named by an alarm pause request. ALARM is unhealthy; INSUFFICIENT_DATA too unless the job says
 * otherwise. With autoResume the job waits for the alarm to clear, and a request whose alarm is
 * back to OK is reported as resolved so the gate clears it (even if the OK event was missed).
 */
export const cloudwatchAlarms: HealthSignal = {
  name: 'cloudwatch-alarms',
  description: 'CloudWatch alarms in ALARM (or INSUFFICIENT_DATA) hold the job back',
  async read(ctx): Promise<SignalReading> {
    const names = alarmNamesToRead(ctx);
    if (names.length === 0) return { signal: this.name, verdict: 'ok', reason: 'no alarms configured' };
    const statuses = new Map((await ctx.alarms.describeAlarms(names)).map((s) => [s.name, s]));
    const firing = names.filter((n) => unhealthy(ctx, statuses.get(n)));
    const resolved = ctx.spec.health.autoResume
      ? ctx.state.pauseRequests
          .map((r) => r.reason)
          .filter(
            (r): r is `alarm:${string}` =>
              r.startsWith('alarm:') && !firing.includes(r.slice('alarm:'.length)),
          )
      : [];
    const first = firing[0];
    if (first === undefined) {
      return { signal: this.name, verdict: 'ok', reason: `alarms OK: ${names.join(', ')}`, resolved };
    }
    return {
      signal: this.name,
      verdict: ctx.spec.health.autoResume ? 'wait' : 'pause',
      pauseReason: `alarm:${first}`,
      reason: firing.map((n) => describe(n, statuses.get(n))).join('; '),
      resolved,
    };
  },
};
