import { describe, expect, it } from 'vitest';
import { createAlarmBoard, evaluateHealth, HEALTH_SIGNALS } from '../../src/health';
import { cloudwatchAlarms } from '../../src/health/signals/cloudwatch-alarms';
import { controlRequests } from '../../src/health/signals/control-requests';
import { runWindow } from '../../src/health/signals/run-window';
import { runtimeBudget } from '../../src/health/signals/runtime-budget';
import type { HealthSignal } from '../../src/health/types';
import { context, gatedJob, jobState } from './support';

const at = new Date().toISOString();
const quietDatabase = {
  replicaLag: async () => [],
  activeSessions: async () => 0,
} as never;

describe('the health gate', () => {
  it('is ok when every signal is, and says why for each', async () => {
    const decision = await evaluateHealth(HEALTH_SIGNALS, context({ database: async () => quietDatabase }));
    expect(decision.verdict).toBe('ok');
    expect(decision.readings.map((r) => r.signal)).toEqual([
      'control-requests',
      'run-window',
      'runtime-budget',
      'feature-flag',
      'cloudwatch-alarms',
      'replica-lag',
      'database-load',
    ]);
    expect(decision.readings.every((r) => r.reason.length > 0)).toBe(true);
  });

  it('aborts on an abort request without touching the database or CloudWatch', async () => {
    const alarms = { describeAlarms: async () => Promise.reject(new Error('must not be called')) };
    const decision = await evaluateHealth(
      HEALTH_SIGNALS,
      context({ state: jobState({ abortRequest: { by: 'bob', at, reason: 'wrong table' } }), alarms }),
    );
    expect(decision).toMatchObject({ verdict: 'abort', decisive: { signal: 'control-requests' } });
    expect(decision.decisive?.reason).toMatch(/bob: wrong table/);
    expect(decision.readings).toHaveLength(1);
  });

  it("pauses on an operator's request, with the reason to record", async () => {
    const state = jobState({ pauseRequests: [{ reason: 'operator', by: 'alice', at, message: 'peak' }] });
    const decision = await evaluateHealth([controlRequests], context({ state }));
    expect(decision).toMatchObject({ verdict: 'pause', decisive: { pauseReason: 'operator' } });
  });

  it('leaves an alarm pause of an auto-resuming job to the alarm signal, which reads the alarm itself', async () => {
    const alarms = createAlarmBoard({ 'db-cpu': 'OK' });
    const state = jobState({ pauseRequests: [{ reason: 'alarm:db-cpu', by: 'arn', at }] });
    const ctx = context({ state, alarms, alarmNames: ['db-cpu'] });
    expect((await evaluateHealth([controlRequests], ctx)).verdict).toBe('ok');
    const reading = await cloudwatchAlarms.read(ctx);
    expect(reading).toMatchObject({ verdict: 'ok', resolved: ['alarm:db-cpu'] });

    alarms.set('db-cpu', 'ALARM');
    expect(await cloudwatchAlarms.read(ctx)).toMatchObject({
      verdict: 'wait',
      pauseReason: 'alarm:db-cpu',
      resolved: [],
    });
  });

  it('treats ALARM and, by default, INSUFFICIENT_DATA as unhealthy; a job may accept missing data', async () => {
    const alarms = createAlarmBoard({ a: 'OK', b: 'INSUFFICIENT_DATA' });
    const strict = context({ alarms, alarmNames: ['a', 'b'] });
    expect(await cloudwatchAlarms.read(strict)).toMatchObject({ verdict: 'wait', pauseReason: 'alarm:b' });
    const tolerant = context({
      alarms,
      alarmNames: ['a', 'b'],
      spec: gatedJob({ insufficientDataIsUnhealthy: false }),
    });
    expect((await cloudwatchAlarms.read(tolerant)).verdict).toBe('ok');
    alarms.set('a', 'ALARM', 'CPU above 90%');
    expect((await cloudwatchAlarms.read(tolerant)).reason).toMatch(/alarm a is ALARM \(CPU above 90%\)/);
  });

  it('counts an alarm it cannot find as unhealthy, naming the setting to fix', async () => {
    const reading = await cloudwatchAlarms.read(context({ alarmNames: ['typo-alarm'] }));
    expect(reading.verdict).toBe('wait');
    expect(reading.reason).toMatch(/typo-alarm does not exist.*health\.alarms/);
  });

  it('pauses instead of waiting on an alarm when the job does not auto-resume', async () => {
    const alarms = createAlarmBoard({ 'db-cpu': 'ALARM' });
    const ctx = context({ alarms, alarmNames: ['db-cpu'], spec: gatedJob({ autoResume: false }) });
    expect(await cloudwatchAlarms.read(ctx)).toMatchObject({ verdict: 'pause', pauseReason: 'alarm:db-cpu' });
    const state = jobState({ pauseRequests: [{ reason: 'alarm:db-cpu', by: 'arn', at }] });
    expect((await controlRequests.read({ ...ctx, state })).verdict).toBe('pause');
  });

  it('stops when the next batch would run past the end of the window', async () => {
    const now = new Date('2030-01-01T02:00:00Z');
    const open = context({ now, windowEndsAt: new Date('2030-01-01T02:00:01Z'), nextBatchMs: 500 });
    expect((await runWindow.read(open)).verdict).toBe('ok');
    const closing = { ...open, nextBatchMs: 1500 };
    expect(await runWindow.read(closing)).toMatchObject({ verdict: 'stop' });
    expect((await runWindow.read(context())).verdict).toBe('ok');
  });

  it('stops when the runtime budget from the run start is used', async () => {
    const runStartedAt = new Date('2030-01-01T00:00:00Z');
    const spec = gatedJob({}, { maxRuntimeSeconds: 60 });
    const early = context({ spec, runStartedAt, now: new Date('2030-01-01T00:00:30Z') });
    expect((await runtimeBudget.read(early)).verdict).toBe('ok');
    const late = { ...early, now: new Date('2030-01-01T00:00:59.800Z') };
    expect((await runtimeBudget.read(late)).reason).toMatch(/runtime budget of 60s used/);
  });

  it('keeps the most severe verdict, and counts a signal that throws as unhealthy', async () => {
    const broken: HealthSignal = {
      name: 'broken',
      description: 'always throws',
      read: async () => {
        throw new Error('replica unreachable');
      },
    };
    const stop: HealthSignal = {
      name: 'stop',
      description: '',
      read: async () => ({ signal: 'stop', verdict: 'stop', reason: 'late' }),
    };
    const ok: HealthSignal = {
      name: 'ok',
      description: '',
      read: async () => ({ signal: 'ok', verdict: 'ok', reason: 'fine' }),
    };
    const waiting = await evaluateHealth([ok, broken], context());
    expect(waiting).toMatchObject({ verdict: 'wait', decisive: { signal: 'broken' } });
    expect(waiting.decisive?.reason).toMatch(/could not be read: replica unreachable/);
    expect((await evaluateHealth([ok, broken, stop], context())).verdict).toBe('stop');
  });
});
