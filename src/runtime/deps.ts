import type { ControlStore } from '../control/types';
import type { Database, ReplicaTarget } from '../db/types';
import type { RuleSettings } from '../ddl/rule-settings';
import type { FreeStorageReader } from '../health/free-storage';
import type { AlarmReader, FlagReader } from '../health/types';
import type { FeatureFlagRef } from '../job/feature-flag';
import type { JobSpec } from '../job/types';
import { DEFAULT_SCAN_MB_PER_SECOND } from '../recipes/phase-timeout';
import type { RecipeRegistration } from '../recipes/registration';
import type { GateSettings } from '../run/gate';
import { DEPLOYED_HISTORY_COSTS } from '../run/history-budget';

/** The slice of a structured logger the handlers use (Powertools' Logger has it). */
export interface RuntimeLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds';

export interface MetricDatum {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly value: number;
}

/** Where handlers put per-job metrics: EMF through Powertools on Lambda, memory locally. */
export interface RuntimeMetrics {
  record(jobId: string, data: readonly MetricDatum[]): void;
}

/** Resolves a job's named connection to a live Database (cached per process) and its replicas. */
export interface Connections {
  open(connectionName: string): Promise<Database>;
  replicas(connectionName: string): Promise<ReplicaTarget[]>;
  close(): Promise<void>;
}

/**
 * Knobs of the runtime rather than of a job, the same for every job of a deployment: the gate's
 * (src/run/gate.ts) and the rest of what the handlers run under.
 */
export interface RuntimeSettings extends GateSettings {
  /**
   * The ApplyBatch function's Lambda timeout, which bounds every statement of a batch or a recipe
   * step (less a margin: src/config/function-timeouts.ts). Undefined locally: no such limit.
   */
  readonly applyBatchTimeoutSeconds?: number;
  /** Scan throughput a table-sized recipe phase's duration estimate assumes (src/recipes/phase-timeout.ts). */
  readonly ddlScanMbPerSecond: number;
}

export const DEFAULT_SETTINGS: RuntimeSettings = {
  leaseTtlMs: 10 * 60_000,
  continueAsNewAfter: 400,
  historyCosts: DEPLOYED_HISTORY_COSTS,
  backoffSeconds: 15,
  maxBackoffSeconds: 120,
  maxUnhealthySeconds: 30 * 60,
  ddlScanMbPerSecond: DEFAULT_SCAN_MB_PER_SECOND,
};

/**
 * Everything a handler core needs. Lambda entry points wire production implementations
 * (DynamoDB, Secrets Manager, CloudWatch, Powertools); the local runtime wires dynalite, URLs and
 * an injectable alarm reader. The cores never know which.
 */
export interface HandlerDeps {
  readonly store: ControlStore;
  /** The job with this id, or UnknownJobError. */
  resolveJob(jobId: string): JobSpec;
  /** The recipe with this id, for executions started with `recipe: true`; undefined when unknown. */
  resolveRecipe?(recipeId: string): RecipeRegistration | undefined;
  /** Every job of the deployment (the alarm handler finds those an alarm concerns). */
  jobs(): readonly JobSpec[];
  /** CloudWatch alarms that gate a job: its own `health.alarms` plus any the deployment adds (replica lag). */
  alarmsFor(spec: JobSpec): readonly string[];
  /** Feature flags that gate a job: its own `health.featureFlag` plus the deployment's `featureFlag`. */
  flagsFor(spec: JobSpec): readonly FeatureFlagRef[];
  /**
   * The DDL guard's rule settings for a job or recipe (by its id): the deployment config's
   * `ddlGuard` and its entry's on Lambda, what the caller gives locally. Undefined: the defaults.
   */
  ddlRulesFor?(spec: JobSpec): RuleSettings | undefined;
  readonly connections: Connections;
  readonly alarms: AlarmReader;
  /** Reads feature flags: AppConfig on Lambda, a flags file or endpoint locally. */
  readonly flags: FlagReader;
  /**
   * The free storage of a job's database, for the write-volume check: CloudWatch for a connection
   * with `storage` on Lambda; undefined where none is known (locally: servers report none over SQL).
   */
  freeStorageFor?(spec: JobSpec): FreeStorageReader | undefined;
  now(): Date;
  readonly logger: RuntimeLogger;
  readonly metrics: RuntimeMetrics;
  readonly settings: RuntimeSettings;
}
