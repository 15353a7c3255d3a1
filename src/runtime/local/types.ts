import type { ControlStore, LocalLeaseHolders } from '../../control/types';
import type { RuleSettings } from '../../ddl/rule-settings';
import type { FreeStorageReader } from '../../health/free-storage';
import type { AlarmReader, FlagReader } from '../../health/types';
import type { FeatureFlagRef } from '../../job/feature-flag';
import type { JobSpec } from '../../job/types';
import type { RecipeRegistration } from '../../recipes/registration';
import type { BatchSummary, ExecutionInput } from '../../run/state';
import type { LocalDatabase } from '../connections';
import type { HandlerDeps, RuntimeLogger, RuntimeSettings } from '../deps';
import type { LatencySleep } from './control-plane-delays';
import type { LatencyOption, LatencyProfile } from './latency-profile';
import type { MemoryMetrics } from './memory-metrics';

export interface LocalRuntimeOptions {
  /** The jobs this runtime may run, by id. */
  readonly jobs: readonly JobSpec[];
  /** Recipes this runtime may run, by id, as executions started with `{ jobId: <recipe id>, recipe: true }`. */
  readonly recipes?: readonly RecipeRegistration[];
  /** Connection name -> database URL (or URL and replica URLs). */
  readonly databases: Readonly<Record<string, LocalDatabase>>;
  /** DynamoDB: started in this process (default), or another process's local endpoint. */
  readonly dynamo?: 'in-process' | { readonly endpoint: string };
  /**
   * Set when the control state is the local one (`.lowtide/`): leases then name this process, and
   * a lease whose process is gone is taken over at once instead of after its ttl.
   */
  readonly leaseHolders?: LocalLeaseHolders;
  /** Control table name (created if missing). Default `lowtide-control`. */
  readonly tableName?: string;
  /** CloudWatch alarms. Default: an empty in-memory board (`createAlarmBoard`). */
  readonly alarms?: AlarmReader;
  /** Alarm names that gate a job. Default: its `health.alarms`. */
  readonly alarmsFor?: (spec: JobSpec) => readonly string[];
  /** Feature flags (a flags file, an endpoint, a board). Default: an empty board, so a gated job reads its flag as off. */
  readonly flags?: FlagReader;
  /** Flags that gate a job. Default: its `health.featureFlag`. */
  readonly flagsFor?: (spec: JobSpec) => readonly FeatureFlagRef[];
  /** The DDL guard's rule settings for a job or recipe (`ddlRulesOf` of a deployment config, a lint file's). Default: none. */
  readonly ddlRulesFor?: (spec: JobSpec) => RuleSettings | undefined;
  /** The free storage the write-volume check compares with. Default: none (servers report none over SQL). */
  readonly freeStorageFor?: (spec: JobSpec) => FreeStorageReader | undefined;
  /**
   * Local milliseconds per ASL second for Wait states and Retry back-offs. Default 10: a 15 s back-off
   * waits 150 ms. Handlers still see real seconds in their payloads.
   */
  readonly msPerSecond?: number;
  readonly leaseTtlMs?: number;
  readonly continueAsNewAfter?: number;
  /** Any other runtime setting (back-off, how long unhealthy before pausing). */
  readonly settings?: Partial<RuntimeSettings>;
  readonly logger?: RuntimeLogger;
  readonly now?: () => Date;
  /** State machine name in local ARNs. Default `lowtide-maintenance-job`. */
  readonly stateMachineName?: string;
  /**
   * Fault injection for tests: called once ContinueAsNew has started its successor; `true` loses
   * StartExecution's response, so the task fails with StepFunctions.SdkClientException and its
   * retrier calls StartExecution again under the same name.
   */
  readonly loseStartExecutionResponse?: (successor: LocalExecution) => boolean | Promise<boolean>;
  /** Progress callback; also available through `runtime.onEvent`. */
  readonly onEvent?: (event: RuntimeEvent) => void;
  /**
   * Latencies to add so a local run pays roughly what it pays deployed: `'none'` (default), `'aws'`
   * (`AWS_LATENCY`, estimates with their sources in latency-profile.ts), or one's own values in
   * milliseconds (missing ones 0). A database round-trip delay puts a TCP proxy in front of each
   * database URL for the runtime's lifetime.
   */
  readonly latency?: LatencyOption;
  /** How the Lambda, transition and DynamoDB delays are waited. Default: a timer. Tests count them. */
  readonly latencySleep?: LatencySleep;
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface LocalRunResult {
  readonly executionName: string;
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** The terminal state: Completed, Blocked, LeaseHeld, Paused, Aborted, WindowClosed, DryRunDone, Continued, Failed. */
  readonly exit?: string;
  /** The execution's output (its final state payload) when it succeeded. */
  readonly output?: Record<string, unknown>;
  /** For a failure: the Fail state's error and cause. */
  readonly error?: string;
  readonly cause?: string;
  /** The successor's execution name when this one continued as new. */
  readonly continuedAs?: string;
}

/** `run()`'s result: the last generation's, with every generation in order. */
export interface LocalRunChain extends LocalRunResult {
  readonly executions: readonly LocalRunResult[];
}

export interface LocalExecution {
  readonly executionName: string;
  readonly executionArn: string;
  /** Settles when this execution ends (not its successors). Never rejects for a failed execution. */
  readonly result: Promise<LocalRunResult>;
}

export type RuntimeEvent =
  | { readonly type: 'execution-started'; readonly executionName: string; readonly input: ExecutionInput }
  | { readonly type: 'task-started'; readonly executionName: string; readonly state: string }
  | {
      readonly type: 'task-succeeded';
      readonly executionName: string;
      readonly state: string;
      readonly decision?: string;
    }
  | {
      readonly type: 'task-failed';
      readonly executionName: string;
      readonly state: string;
      readonly error: string;
      readonly message: string;
    }
  | {
      readonly type: 'batch-applied';
      readonly executionName: string;
      readonly jobId: string;
      readonly batch: BatchSummary;
      readonly rowsDone: number;
    }
  | {
      readonly type: 'health';
      readonly executionName: string;
      readonly jobId: string;
      readonly decision: string;
      readonly reasons: readonly string[];
    }
  | { readonly type: 'execution-ended'; readonly result: LocalRunResult };

export interface LocalRuntime {
  readonly store: ControlStore;
  readonly alarms: AlarmReader;
  readonly metrics: MemoryMetrics;
  /** The deps the handler cores get, for callers that invoke a core directly (the alarm handler). */
  readonly deps: HandlerDeps;
  /** The DynamoDB endpoint, for another process to share this runtime's control state. */
  readonly dynamoEndpoint: string;
  /** The latency profile in force, and how many chunks its database proxies have held. */
  readonly latency: { readonly profile: LatencyProfile; delayedDatabaseChunks(): number };
  /**
   * Starts one execution (like StartExecution); its successors start by themselves. A name already
   * used answers as Step Functions does: the same execution while it runs with the same input,
   * otherwise ExecutionAlreadyExistsError.
   */
  start(input: ExecutionInput, options?: { name?: string }): LocalExecution;
  /** Starts an execution and follows its continuations to the end of the run. */
  run(input: ExecutionInput, options?: { name?: string }): Promise<LocalRunChain>;
  /** The result of an execution started here (a successor included) by name. */
  resultOf(executionName: string): Promise<LocalRunResult>;
  /** Like StopExecution in the console: the state machine stops, a running handler finishes on its own. */
  stop(executionName: string): Promise<LocalRunResult>;
  onEvent(listener: (event: RuntimeEvent) => void): () => void;
  /** Stops running executions, waits for their handlers to return, then closes databases and DynamoDB. */
  close(): Promise<void>;
}
