// Health signals: what the health gate asks before every batch.

export type { AlarmBoard } from './alarm-board';
export { createAlarmBoard } from './alarm-board';
export { cloudWatchAlarmReader } from './cloudwatch-reader';
export { evaluateHealth } from './gate';
export { HEALTH_SIGNALS } from './registry';
export type {
  AlarmReader,
  AlarmState,
  AlarmStatus,
  HealthContext,
  HealthDecision,
  HealthSignal,
  SignalReading,
  Verdict,
} from './types';
