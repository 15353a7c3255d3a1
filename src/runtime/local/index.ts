// The local runtime: the deployed state machine, in this process.
export { FUNCTION_SUBSTITUTIONS, loadDefinition, localFunctionArns, substitute } from './definition';
export type { MemoryMetrics, RecordedMetric } from './memory-metrics';
export { memoryMetrics } from './memory-metrics';
export { createLocalRuntime } from './runtime';
export type {
  ExecutionStatus,
  LocalExecution,
  LocalRunChain,
  LocalRunResult,
  LocalRuntime,
  LocalRuntimeOptions,
  RuntimeEvent,
} from './types';
