import { APPLY_BATCH_TIMEOUT_SECONDS } from '../src/config/function-timeouts';

/**
 * The Lambda entry points under `functions/` and what each needs. The state machine reaches the
 * Task functions through its definition substitutions; the two event handlers are EventBridge targets.
 */
export interface FunctionSpec {
  /** File name under `functions/`, without `.ts`. */
  readonly file: string;
  /** Definition substitution that carries the function's ARN into the ASL; absent for event targets. */
  readonly substitution?: string;
  /** Touches the database: runs in the VPC and may read the connection credentials. */
  readonly touchesDatabase: boolean;
  /** Reads alarm states (cloudwatch:DescribeAlarms). */
  readonly describesAlarms?: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly description: string;
}

const specs = {
  preflight: {
    file: 'preflight',
    substitution: 'PreflightFunctionArn',
    touchesDatabase: true,
    timeoutSeconds: 300,
    memoryMb: 512,
    description: 'lowtide: preflight checks, plan and run window (read-only)',
  },
  acquireLease: {
    file: 'acquire-lease',
    substitution: 'AcquireLeaseFunctionArn',
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: "lowtide: takes the job's DynamoDB lease with a new fencing token",
  },
  healthGate: {
    file: 'health-gate',
    substitution: 'HealthGateFunctionArn',
    touchesDatabase: true,
    describesAlarms: true,
    timeoutSeconds: 60,
    memoryMb: 512,
    description: 'lowtide: pause and abort requests, alarms, replica lag, load, window and runtime budget',
  },
  applyBatch: {
    file: 'apply-batch',
    substitution: 'ApplyBatchFunctionArn',
    touchesDatabase: true,
    // Shared with the runtime, which bounds every statement by it (src/config/function-timeouts.ts).
    timeoutSeconds: APPLY_BATCH_TIMEOUT_SECONDS,
    memoryMb: 512,
    description: 'lowtide: applies exactly one batch in one transaction',
  },
  verifyBatch: {
    file: 'verify-batch',
    substitution: 'VerifyBatchFunctionArn',
    touchesDatabase: true,
    timeoutSeconds: 120,
    memoryMb: 512,
    description: 'lowtide: re-reads the committed batch, its ledger row and the invariant',
  },
  finalize: {
    file: 'finalize',
    substitution: 'FinalizeFunctionArn',
    touchesDatabase: true,
    timeoutSeconds: 900,
    memoryMb: 512,
    description: 'lowtide: postflight validation, completion, lease release',
  },
  stopRun: {
    file: 'stop-run',
    substitution: 'StopRunFunctionArn',
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: clean stop (checkpoint kept, lease released, status and run record)',
  },
  recordFailure: {
    file: 'record-failure',
    substitution: 'RecordFailureFunctionArn',
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: marks the job failed with the reason and releases the lease',
  },
  onAlarm: {
    file: 'on-alarm',
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: turns CloudWatch alarm state changes into pause requests (and clears them)',
  },
  onExecutionEnd: {
    file: 'on-execution-end',
    touchesDatabase: false,
    timeoutSeconds: 30,
    memoryMb: 256,
    description: 'lowtide: releases the lease of an execution that was aborted, failed or timed out',
  },
} as const satisfies Record<string, FunctionSpec>;

export type LowtideFunctionName = keyof typeof specs;

export const FUNCTION_SPECS: Readonly<Record<LowtideFunctionName, FunctionSpec>> = specs;

export const FUNCTION_NAMES = Object.keys(FUNCTION_SPECS) as LowtideFunctionName[];
