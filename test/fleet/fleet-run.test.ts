import { describe, expect, it } from 'vitest';
import { openLocalControl } from '../../src/cli/control/local-control';
import { type ConnectionGroup, parseConnectionGroup } from '../../src/cli/fleet/connection-groups';
import { type FleetMemberEvent, runFleetLocally } from '../../src/cli/fleet/fleet-run';
import { createAlarmBoard } from '../../src/health/alarm-board';
import { defineJob } from '../../src/job/define-job';
import type { HandlerDeps } from '../../src/runtime/deps';
import { onAlarm } from '../../src/runtime/handlers';
import { accountsBackfill } from '../cli/fixtures/test-job';
import { expectEachChangedOnce, useTestFleet } from './support/fleet-databases';

const ROWS = 600;
const ALARM = 'fleet-m3-cpu-high';

function alarmEvent(state: 'ALARM' | 'OK') {
  return {
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${ALARM}`],
    detail: { alarmName: ALARM, state: { value: state, reason: 'Threshold Crossed' } },
  };
}

/** Resolves once `check` holds: polled, since the state it reads changes in another component. */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a fleet of six databases, PostgreSQL and MariaDB mixed, in one local runtime', () => {
  const fleet = useTestFleet(['postgres', 'mysql', 'postgres', 'mysql', 'postgres', 'mysql'], ROWS);
  const spec = defineJob(
    accountsBackfill('fleet-lib-backfill', 'postgres', {
      database: 'fleet',
      batch: { size: 100, min: 100, max: 100, targetMs: 200, invocationBudgetMs: 0 },
      health: { pauseBetweenBatchesMs: 1000 },
    }),
  );
  const group = (): ConnectionGroup =>
    parseConnectionGroup(
      'fleet',
      fleet.members.map((m) => ({
        name: m.member,
        url: m.url,
        ...(m.member === 'm3' ? { alarms: [ALARM] } : {}),
      })),
    );

  it('runs two at a time; the alarm of one member pauses that member only; its OK lets it finish; every row once', async () => {
    const control = await openLocalControl(fleet.stateDir);
    const alarms = createAlarmBoard({ [ALARM]: 'OK' });
    const events: FleetMemberEvent[] = [];
    let running = 0;
    let most = 0;
    let deps: HandlerDeps | undefined;
    let alarmed = false;
    let run: ReturnType<typeof runFleetLocally> | undefined;
    try {
      run = runFleetLocally({
        spec,
        group: group(),
        control,
        concurrency: 2,
        msPerSecond: 5,
        alarms,
        onStarted: (runtime) => {
          deps = runtime.deps;
        },
        onMember: (event) => {
          events.push(event);
          if (event.type === 'started') most = Math.max(most, ++running);
          if (event.type === 'ended') running--;
          if (event.type === 'batch' && event.member === 'm3' && event.batchNo === 2 && !alarmed) {
            alarmed = true;
            alarms.set(ALARM, 'ALARM', 'CPU above 90%');
            void onAlarm(alarmEvent('ALARM'), deps!);
          }
        },
      });
      // The others run to their ends while m3 is held by its alarm.
      const others = ['m1', 'm2', 'm4', 'm5', 'm6'];
      await until(
        () => others.every((m) => events.some((e) => e.type === 'ended' && e.member === m)),
        'the other members to end',
      );
      // Held at its gate by its own alarm, with the alarm's pause request on its item alone.
      await until(
        () =>
          events.filter((e) => e.type === 'waiting' && e.member === 'm3' && e.reason.includes(ALARM))
            .length >= 3,
        'm3 held by its alarm',
      );
      const m3 = await control.store.getJob('fleet-lib-backfill_m3');
      expect(['pausing', 'paused']).toContain(m3?.status);
      expect(m3?.pauseRequests.map((p) => p.reason)).toEqual([`alarm:${ALARM}`]);
      for (const m of others) {
        expect((await control.store.getJob(`fleet-lib-backfill_${m}`))?.status, m).toBe('completed');
        expect((await control.store.getJob(`fleet-lib-backfill_${m}`))?.pauseRequests, m).toEqual([]);
      }
      // m3 applied no batch after the one in flight when its alarm fired.
      const m3Batches = events.filter((e) => e.type === 'batch' && e.member === 'm3').length;
      expect(m3Batches).toBeLessThanOrEqual(3);

      alarms.set(ALARM, 'OK');
      await onAlarm(alarmEvent('OK'), deps!);
      const report = await run;
      expect(most).toBe(2);
      expect(report.fleet).toMatchObject({ outcome: 'completed', failed: 0 });
      expect(report.members.map((m) => [m.member, m.engine, m.outcome.outcome, m.rowsDone])).toEqual(
        fleet.members.map((m) => [m.member, m.engine, 'completed', 480]),
      );
      await expectEachChangedOnce(fleet, ROWS, expect);
      // Each member kept its own ledger rows, under its own run id.
      for (const m of fleet.members) {
        const rows = await m.raw.query<{ job_id: string }>('SELECT DISTINCT job_id FROM lowtide_ledger');
        expect(rows.map((r) => r.job_id)).toEqual([`fleet-lib-backfill_${m.member}`]);
      }
    } finally {
      alarms.set(ALARM, 'OK');
      if (deps) await onAlarm(alarmEvent('OK'), deps);
      await run?.catch(() => {});
      await control.close();
    }
  }, 180_000);

  it('a member that fails stops none of the others; past the tolerance the fleet reports failed', async () => {
    // m2 refuses every write to its table from now on: its batches fail, the others' do not.
    const m2 = fleet.members[1]!;
    await m2.raw.query(
      `CREATE TRIGGER accounts_refuse BEFORE UPDATE ON accounts FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'member m2 refuses writes'`,
    );
    await m2.raw.query('UPDATE accounts SET tier = NULL WHERE 1 = 0');
    const control = await openLocalControl(fleet.stateDir);
    const failing = defineJob(
      accountsBackfill('fleet-lib-failing', 'postgres', {
        database: 'fleet',
        where: 'id > 0',
        set: { note: "'refreshed'" },
        verify: {},
        batch: { size: 200, min: 100, max: 200, targetMs: 200, invocationBudgetMs: 0 },
      }),
    );
    try {
      const report = await runFleetLocally({
        spec: failing,
        group: group(),
        control,
        concurrency: 3,
        msPerSecond: 0,
        alarms: createAlarmBoard({ [ALARM]: 'OK' }),
      });
      expect(report.members.map((m) => [m.member, m.outcome.outcome])).toEqual([
        ['m1', 'completed'],
        ['m2', 'failed'],
        ['m3', 'completed'],
        ['m4', 'completed'],
        ['m5', 'completed'],
        ['m6', 'completed'],
      ]);
      expect(report.fleet).toMatchObject({ outcome: 'failed', failed: 1, code: 1 });
      expect(report.members[1]!.outcome.reason).toMatch(/refuses writes/);
      const [left] = await m2.raw.query<{ n: unknown }>(
        "SELECT COUNT(*) AS n FROM accounts WHERE note = 'refreshed'",
      );
      expect(Number(left!.n)).toBe(0);
      const [done] = await fleet.members[0]!.raw.query<{ n: unknown }>(
        "SELECT COUNT(*) AS n FROM accounts WHERE note = 'refreshed'",
      );
      expect(Number(done!.n)).toBe(ROWS);
      expect((await control.store.getJob('fleet-lib-failing_m2'))?.status).toBe('failed');
    } finally {
      await control.close();
      await m2.raw.query('DROP TRIGGER accounts_refuse');
    }
  });
});
