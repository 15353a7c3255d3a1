// Health signals: what the health gate asks before every batch.

export type { AlarmBoard } from './alarm-board';
export { createAlarmBoard } from './alarm-board';
export { appConfigFlagReader } from './appconfig-reader';
export { cloudWatchAlarmReader } from './cloudwatch-reader';
export type { FlagBoard, FlagReading } from './flag-state';
export { createFlagBoard, describeOff, readFlags } from './flag-state';
export { evaluateHealth } from './gate';
export { DEFAULT_FLAGS_FILE, fileFlagReader, flagReaderFor, httpFlagReader } from './local-flags';
export { BETWEEN_TRANSACTIONS, HEALTH_SIGNALS } from './registry';
export type {
  AlarmReader,
  AlarmState,
  AlarmStatus,
  FlagReader,
  HealthContext,
  HealthDecision,
  HealthSignal,
  SignalReading,
  Verdict,
} from './types';
