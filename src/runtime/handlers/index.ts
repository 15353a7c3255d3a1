// The handler cores: one per step of src/run/steps.ts, each `(payload, deps)`. This is the one
// place that imports them all; functions/*.ts import only their own (bundles stay minimal) and
// wire production deps around it, the local runtime wires local ones.
import type { StepName } from '../../run/steps';
import type { HandlerDeps } from '../deps';
import { acquireLease } from './acquire-lease';
import { applyBatch } from './apply-batch';
import { finalize } from './finalize';
import { healthGate } from './health-gate';
import { onAlarm } from './on-alarm';
import { onExecutionEnd } from './on-execution-end';
import { preflight } from './preflight';
import { recordFailure } from './record-failure';
import { stopRun } from './stop-run';
import { verifyBatch } from './verify-batch';

export type HandlerCore = (payload: unknown, deps: HandlerDeps) => Promise<unknown>;

/** Step name -> the core its function runs. */
export const STEP_HANDLERS = {
  preflight,
  acquireLease,
  healthGate,
  applyBatch,
  verifyBatch,
  finalize,
  stopRun,
  recordFailure,
  onAlarm,
  onExecutionEnd,
} as const satisfies Record<StepName, HandlerCore>;

export {
  acquireLease,
  applyBatch,
  finalize,
  healthGate,
  onAlarm,
  onExecutionEnd,
  preflight,
  recordFailure,
  stopRun,
  verifyBatch,
};
