import type { AlarmReader, AlarmState, AlarmStatus } from './types';

/** An in-memory stand-in for CloudWatch alarms: the local runtime's default, and the tests' switch. */
export interface AlarmBoard extends AlarmReader {
  set(name: string, state: AlarmState, reason?: string): void;
  /** Forgets an alarm, as if it were deleted in CloudWatch. */
  remove(name: string): void;
}

export function createAlarmBoard(initial: Readonly<Record<string, AlarmState>> = {}): AlarmBoard {
  const alarms = new Map<string, AlarmStatus>(
    Object.entries(initial).map(([name, state]) => [name, { name, state }]),
  );
  return {
    set(name, state, reason) {
      alarms.set(name, { name, state, reason });
    },
    remove(name) {
      alarms.delete(name);
    },
    async describeAlarms(names) {
      return names.flatMap((n) => {
        const status = alarms.get(n);
        return status ? [status] : [];
      });
    },
  };
}
