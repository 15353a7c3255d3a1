import type { JobState, PauseReason } from '../control/types';
import type { Database, ReplicaTarget } from '../db/types';
import type { FeatureFlagRef } from '../job/feature-flag';
import type { JobSpec } from '../job/types';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmStatus {
  readonly name: string;
  readonly state: AlarmState;
  /** CloudWatch's own explanation of the state, when it gives one. */
  readonly reason?: string;
}

/**
 * Reads the state of CloudWatch alarms, metric and composite alike. Production: DescribeAlarms;
 * tests and the local runtime: an in-memory board they flip. Alarms it does not know are left out.
 */
export interface AlarmReader {
  describeAlarms(names: readonly string[]): Promise<AlarmStatus[]>;
}

/**
 * Reads whether a feature flag is on. Production: AWS AppConfig through its data API; locally a
 * flags file or an HTTP endpoint; tests an in-memory board. Throws when the flag cannot be read
 * (the callers count that as off).
 */
export interface FlagReader {
  isEnabled(ref: FeatureFlagRef): Promise<boolean>;
}

/**
 * What a signal thinks of running the next batch, from harmless to final:
 * - `ok`: go ahead;
 * - `wait`: back off and ask again (alarm, replica lag, load): transient;
 * - `stop`: end this run cleanly, the next run resumes (window over, runtime budget used);
 * - `pause`: end this run Paused until someone resumes (operator, lock timeouts, non-resuming alarm);
 * - `abort`: end Aborted.
 */
export type Verdict = 'ok' | 'wait' | 'stop' | 'pause' | 'abort';

export const VERDICT_SEVERITY: Readonly<Record<Verdict, number>> = {
  ok: 0,
  wait: 1,
  stop: 2,
  pause: 3,
  abort: 4,
};

export interface SignalReading {
  readonly signal: string;
  readonly verdict: Verdict;
  /** A sentence an operator can act on; carried into the execution's output. */
  readonly reason: string;
  /** For `pause`: the reason recorded on the job. */
  readonly pauseReason?: PauseReason;
  /** Numbers worth a metric (e.g. `replicaLagSeconds`). */
  readonly measurements?: Readonly<Record<string, number>>;
  /** Pause requests this reading shows are over (an alarm back to OK); the gate clears them. */
  readonly resolved?: readonly PauseReason[];
}

export interface HealthContext {
  readonly spec: JobSpec;
  readonly state: JobState;
  /** Opened on first use: a gate that stops on an abort request never touches the database. */
  database(): Promise<Database>;
  readonly replicas: readonly ReplicaTarget[];
  readonly alarms: AlarmReader;
  /** Alarm names that gate this job (its own and the deployment's). */
  readonly alarmNames: readonly string[];
  readonly flags: FlagReader;
  /** Feature flags that gate this job (its own and the deployment's). */
  readonly featureFlags: readonly FeatureFlagRef[];
  readonly now: Date;
  readonly runStartedAt: Date;
  readonly windowEndsAt?: Date;
  /** How long the next batch is expected to take, so it is not started right before a deadline. */
  readonly nextBatchMs: number;
  /**
   * Signals that held the job back at this run's previous gate, so a signal can hold on until
   * health is clearly back (replica lag resumes only well below its limit).
   */
  readonly heldBy?: readonly string[];
}

/** One health signal: one file, one concern. Throwing counts as `wait` (unknown health is not healthy). */
export interface HealthSignal {
  readonly name: string;
  readonly description: string;
  read(ctx: HealthContext): Promise<SignalReading>;
}

export interface HealthDecision {
  /** The most severe verdict of all readings. */
  readonly verdict: Verdict;
  /** The reading that decided, undefined when all are ok. */
  readonly decisive?: SignalReading;
  readonly readings: readonly SignalReading[];
}
