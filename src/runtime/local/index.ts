// The local runtime: the deployed state machine, in this process.
export type { LatencySleep } from './control-plane-delays';
export { FUNCTION_SUBSTITUTIONS, loadDefinition, localFunctionArns, substitute } from './definition';
export type { LatencyCause, LatencyOption, LatencyProfile, LatencyProfileName } from './latency-profile';
export { AWS_LATENCY, LATENCY_PROFILE_NAMES, NO_LATENCY, resolveLatency } from './latency-profile';
export type { MemoryMetrics, RecordedMetric } from './memory-metrics';
export { memoryMetrics } from './memory-metrics';
export { createLocalRuntime } from './runtime';
export { ExecutionAlreadyExistsError, START_EXECUTION_TASK_ERRORS } from './start-execution';
export type { TcpProxy, TcpProxyOptions } from './tcp-proxy';
export { startTcpProxy } from './tcp-proxy';
export type {
  ExecutionStatus,
  LocalExecution,
  LocalRunChain,
  LocalRunResult,
  LocalRuntime,
  LocalRuntimeOptions,
  RuntimeEvent,
} from './types';
