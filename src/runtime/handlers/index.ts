// The handler cores: one per Task state (plus the two EventBridge targets), each `(payload, deps)`.
// functions/*.ts wire production deps around them; the local runtime wires local ones.
export { acquireLease } from './acquire-lease';
export { applyBatch } from './apply-batch';
export { finalize } from './finalize';
export { healthGate } from './health-gate';
export { onAlarm } from './on-alarm';
export { onExecutionEnd } from './on-execution-end';
export { preflight } from './preflight';
export { recordFailure } from './record-failure';
export { stopRun } from './stop-run';
export { verifyBatch } from './verify-batch';
