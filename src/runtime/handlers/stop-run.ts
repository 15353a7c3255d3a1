import { type RunState, runStateSchema } from '../../run/state';
import { stop } from '../../run/stop';
import type { HandlerDeps } from '../deps';
import { causeText } from '../error-cause';
import { InvalidPayloadError } from '../errors';
import { resolveRunJob } from '../runnable/work-ref';
import { type Successor, successorOf } from '../successor';
import { parsePayload, requireLease } from './common';

/** Every clean stop (src/run/stop.ts); a continuation names its successor for ContinueAsNew. */
export async function stopRun(
  payload: unknown,
  deps: HandlerDeps,
): Promise<RunState & { successor?: Successor }> {
  const run = parsePayload(runStateSchema, payload, 'StopRun payload');
  const lease = requireLease(run, 'StopRun');
  if (!run.stop) throw new InvalidPayloadError('StopRun needs a stop: { outcome, reason } in its payload');
  const spec = resolveRunJob(deps, run);
  const cause = (run.error as { Cause?: unknown } | undefined)?.Cause;
  const reason = cause === undefined ? run.stop.reason : `${run.stop.reason}: ${causeText(cause)}`;
  deps.logger.info('run stopping', { jobId: spec.id, outcome: run.stop.outcome, reason });
  const next = run.stop.outcome === 'continued' ? successorOf(run) : undefined;
  const successor = next && { name: next.name, ttlMs: deps.settings.leaseTtlMs };
  await deps.store.commit(
    spec.id,
    stop({ stop: run.stop, reason, lease, executionId: run.execution.id, successor }),
  );
  return next ? { ...run, decision: 'continued', successor: next } : { ...run, decision: run.stop.outcome };
}
