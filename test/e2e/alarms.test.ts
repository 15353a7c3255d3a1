import { beforeAll, describe, expect, it } from 'vitest';
import { onAlarm } from '../../src/runtime/handlers';
import type { RuntimeEvent } from '../../src/runtime/local';
import { ENGINES } from '../support/databases';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { appliedCounts, backfillJob, ledgerRows } from './support/accounts';
import { useE2e } from './support/harness';

const ROWS = 1_000;
const ALARM = 'orders-db-cpu-high';

function alarmEvent(state: 'ALARM' | 'OK') {
  return {
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${ALARM}`],
    detail: { alarmName: ALARM, state: { value: state, reason: 'Threshold Crossed' } },
  };
}

/** Resolves after `count` health-gate waits that name the alarm. */
function waitsForAlarm(events: RuntimeEvent[], count: number) {
  return (
    events.filter((e) => e.type === 'health' && e.decision === 'wait' && e.reasons.join(' ').includes(ALARM))
      .length >= count
  );
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(ENGINES)('CloudWatch alarms on %s', (engine) => {
  const table = (n: number) => `accounts_${n}`;
  const job = (n: number, autoResume = true) =>
    backfillJob(engine, {
      id: `alarm-gated-${n}`,
      table: table(n),
      // One transaction per apply step: the alarm is the health gate's, between steps.
      batch: { size: 50, min: 50, max: 50, targetMs: 200, invocationBudgetMs: 0 },
      health: { alarms: [ALARM], autoResume, pauseBetweenBatchesMs: 0 },
    });
  const jobs = [job(1), job(2), job(3, false)];

  const e2e = useE2e(engine, jobs, {
    prepare: async (db) => {
      for (const n of [1, 2, 3]) await createAccounts(db.raw, engine, ROWS, table(n));
    },
  });

  beforeAll(async () => {
    e2e.rt.alarms.set(ALARM, 'OK');
  });

  async function expectCompletedOnce(n: number) {
    const targets = backfillTargets(ROWS);
    expect((await appliedCounts(e2e.db.raw, table(n))).byCount).toEqual({ 0: ROWS - targets, 1: targets });
  }

  it('holds the job within one iteration while the alarm is in ALARM, and continues when it is OK again', async () => {
    const spec = jobs[0]!;
    const events: RuntimeEvent[] = [];
    const off = e2e.rt.runtime.onEvent((e) => events.push(e));
    let batchesAtAlarm = -1;
    const offAlarm = e2e.rt.runtime.onEvent((e) => {
      if (e.type === 'batch-applied' && e.jobId === spec.id && e.batch.batchNo === 3 && batchesAtAlarm < 0) {
        batchesAtAlarm = 3;
        e2e.rt.alarms.set(ALARM, 'ALARM', 'CPU above 90%');
      }
    });
    const execution = e2e.rt.runtime.start({ jobId: spec.id });
    await until(() => waitsForAlarm(events, 5), 'five gated waits');
    // Within one iteration: the batch in flight when the alarm fired was the last.
    const applied = events.filter((e) => e.type === 'batch-applied').length;
    expect(applied).toBeLessThanOrEqual(batchesAtAlarm + 1);
    expect((await e2e.rt.runtime.store.getJob(spec.id))?.status).toBe('paused');
    expect((await ledgerRows(e2e.db.raw, spec.id)).length).toBe(applied);

    e2e.rt.alarms.set(ALARM, 'OK');
    const result = await execution.result;
    off();
    offAlarm();
    expect(result).toMatchObject({ status: 'SUCCEEDED', exit: 'Completed' });
    await expectCompletedOnce(1);
    expect(e2e.rt.runtime.metrics.sum(spec.id, 'HealthGateHeld')).toBeGreaterThanOrEqual(5);
  });

  it('pauses on the alarm event (on-alarm handler) and clears the pause on its OK event', async () => {
    const spec = jobs[1]!;
    const events: RuntimeEvent[] = [];
    const off = e2e.rt.runtime.onEvent((e) => {
      events.push(e);
      if (e.type === 'batch-applied' && e.jobId === spec.id && e.batch.batchNo === 2) {
        e2e.rt.alarms.set(ALARM, 'ALARM');
        void onAlarm(alarmEvent('ALARM'), e2e.rt.runtime.deps);
      }
    });
    await e2e.rt.runtime.store.ensureJob(spec.id);
    const execution = e2e.rt.runtime.start({ jobId: spec.id });
    // The request lands while the job runs (pausing); the next gate that sees it makes it paused.
    await until(async () => {
      const state = await e2e.rt.runtime.store.getJob(spec.id);
      return (
        waitsForAlarm(events, 3) &&
        !!state?.pauseRequests.some((r) => r.reason === `alarm:${ALARM}`) &&
        state.status === 'paused'
      );
    }, 'the alarm pause request, gated waits and status paused');

    // The OK event clears the request; the gate, which also reads the alarm itself, then lets the job go.
    const handled = await onAlarm(alarmEvent('OK'), e2e.rt.runtime.deps);
    expect(handled.jobs.find((j) => j.jobId === spec.id)?.action).toBe('resumed');
    expect((await e2e.rt.runtime.store.getJob(spec.id))?.pauseRequests).toEqual([]);
    e2e.rt.alarms.set(ALARM, 'OK');
    expect(await execution.result).toMatchObject({ exit: 'Completed' });
    off();
    await expectCompletedOnce(2);
  });

  it('ends Paused with reason alarm:NAME when the job does not auto-resume', async () => {
    const spec = jobs[2]!;
    e2e.rt.alarms.set(ALARM, 'ALARM');
    const result = await e2e.rt.runtime.run({ jobId: spec.id });
    expect(result.exit).toBe('Paused');
    expect(result.output).toMatchObject({ stop: { outcome: 'paused', pauseReason: `alarm:${ALARM}` } });
    expect((await e2e.rt.runtime.store.getJob(spec.id))?.status).toBe('paused');
    expect(await ledgerRows(e2e.db.raw, spec.id)).toHaveLength(0);
    e2e.rt.alarms.set(ALARM, 'OK');
  });
});
