import { readLedger, validateJob } from '../../engine';
import { finish } from '../../run/finish';
import { type RunState, runStateSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { VerificationFailedError } from '../errors';
import { runtimeMetricNames } from '../job-metrics';
import { resolveRunJob } from '../runnable/work-ref';
import { parsePayload, requireLease } from './common';

/**
 * Nothing is left to select: validate the whole job (postflight invariant), then mark it completed,
 * give up the lease and close the run record. An abort that arrived during the last batch wins:
 * the job ends aborted, with every row applied.
 */
export async function finalize(payload: unknown, deps: HandlerDeps): Promise<RunState> {
  const run = parsePayload(runStateSchema, payload, 'Finalize payload');
  const lease = requireLease(run, 'Finalize');
  const spec = resolveRunJob(deps, run);
  const db = await deps.connections.open(spec.database);
  const verdict = await validateJob({ spec, db });
  if (!verdict.ok) throw new VerificationFailedError(`postflight validation failed: ${verdict.reason}`);
  const head = await readLedger(db, spec);
  const rowsDone = head?.rowsDone ?? 0;
  const job = await deps.store.ensureJob(spec.id);
  // A note (rows that began matching after their batch ran) is told, not failed.
  const note = verdict.ok && verdict.note ? `; note: ${verdict.note}` : '';
  const summary = `${rowsDone} rows in ${head?.batchNo ?? 0} batches${note}`;
  const { outcome, transition } = finish({ job, lease, executionId: run.execution.id, summary });
  await deps.store.commit(spec.id, transition);
  deps.metrics.record(spec.id, [{ name: runtimeMetricNames.remainingRows, unit: 'Count', value: 0 }]);
  deps.logger.info('job finished', { jobId: spec.id, rowsDone, aborted: outcome === 'aborted' });
  return { ...run, decision: outcome, rowsDone };
}
