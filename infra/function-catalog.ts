import { APPLY_BATCH_TIMEOUT_SECONDS } from '../src/config/function-timeouts';
import { functionFile, isTaskStep, STEP_NAMES, type StepName, substitutionName } from '../src/run/steps';

/** What a step's Lambda function needs from its deployment. */
interface FunctionNeeds {
  /** Touches the database: runs in the VPC and may read the connection credentials. */
  readonly touchesDatabase: boolean;
  /** Reads alarm states (cloudwatch:DescribeAlarms). */
  readonly describesAlarms?: boolean;
  /** Reads the feature flags that gate the jobs (AppConfig data API). */
  readonly readsFeatureFlags?: boolean;
  /** Reads a database's free storage for the write-volume check (cloudwatch:GetMetricData). */
  readonly readsFreeStorage?: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly description: string;
}

/**
 * The Lambda entry points under `functions/`, one per step of src/run/steps.ts, and what each needs.
 * The state machine reaches the Task functions through its definition substitutions; the two event
 * handlers are EventBridge targets.
 */
export interface FunctionSpec extends FunctionNeeds {
  /** File name under `functions/`, without `.ts`. */
  readonly file: string;
  /** Definition substitution that carries the function's ARN into the ASL; absent for event targets. */
  readonly substitution?: string;
}

const needs = {
  preflight: {
    touchesDatabase: true,
    readsFeatureFlags: true,
    readsFreeStorage: true,
    timeoutSeconds: 300,
    memoryMb: 512,
    description: 'lowtide: preflight checks, plan and run window (read-only)',
  },
  acquireLease: {
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: "lowtide: takes the job's DynamoDB lease with a new fencing token",
  },
  healthGate: {
    touchesDatabase: true,
    describesAlarms: true,
    readsFeatureFlags: true,
    timeoutSeconds: 60,
    memoryMb: 512,
    description: 'lowtide: pause and abort requests, alarms, replica lag, load, window and runtime budget',
  },
  applyBatch: {
    touchesDatabase: true,
    // Shared with the runtime, which bounds every statement by it (src/config/function-timeouts.ts).
    timeoutSeconds: APPLY_BATCH_TIMEOUT_SECONDS,
    memoryMb: 512,
    description: 'lowtide: applies exactly one batch in one transaction',
  },
  verifyBatch: {
    touchesDatabase: true,
    timeoutSeconds: 120,
    memoryMb: 512,
    description: 'lowtide: re-reads the committed batch, its ledger row and the invariant',
  },
  finalize: {
    touchesDatabase: true,
    timeoutSeconds: 900,
    memoryMb: 512,
    description: 'lowtide: postflight validation, completion, lease release',
  },
  stopRun: {
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: clean stop (checkpoint kept, lease released, status and run record)',
  },
  recordFailure: {
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: marks the job failed with the reason and releases the lease',
  },
  onAlarm: {
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: turns CloudWatch alarm state changes into pause requests (and clears them)',
  },
  onExecutionEnd: {
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: releases the lease of an execution that was aborted, failed or timed out',
  },
} as const satisfies Record<StepName, FunctionNeeds>;

export type LowtideFunctionName = StepName;

export const FUNCTION_SPECS: Readonly<Record<LowtideFunctionName, FunctionSpec>> = Object.fromEntries(
  STEP_NAMES.map((step) => [
    step,
    {
      ...needs[step],
      file: functionFile(step),
      ...(isTaskStep(step) ? { substitution: substitutionName(step) } : {}),
    },
  ]),
) as Record<LowtideFunctionName, FunctionSpec>;

export const FUNCTION_NAMES: readonly LowtideFunctionName[] = STEP_NAMES;
