// The local runtime: the deployed state machine, in this process.
export { FUNCTION_SUBSTITUTIONS, loadDefinition, localFunctionArns, substitute } from './definition';
export type { MemoryMetrics, RecordedMetric } from './memory-metrics';
export { memoryMetrics } from './memory-metrics';
export { createLocalRuntime } from './runtime';
export { ExecutionAlreadyExistsError, START_EXECUTION_TASK_ERRORS } from './start-execution';
export type {
  ExecutionStatus,
  LocalExecution,
  LocalRunChain,
  LocalRunResult,
  LocalRuntime,
  LocalRuntimeOptions,
  RuntimeEvent,
} from './types';
