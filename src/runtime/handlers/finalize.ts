import { readLedger, validateJob } from '../../engine';
import { type RunState, runStateSchema } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { VerificationFailedError } from '../errors';
import { runtimeMetricNames } from '../job-metrics';
import { resolveRunJob } from '../run-job';
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
  const { store } = deps;
  const job = await store.ensureJob(spec.id);
  const aborted = job.abortRequest !== undefined;
  // A note (rows that began matching after their batch ran) is told, not failed.
  const note = verdict.ok && verdict.note ? `; note: ${verdict.note}` : '';
  const summary = `${rowsDone} rows in ${head?.batchNo ?? 0} batches${note}`;
  if (aborted)
    await store.setStatus(
      spec.id,
      'aborted',
      `abort requested as the last batch finished; all ${summary} applied`,
    );
  else await store.setStatus(spec.id, 'completed', `completed: ${summary}`);
  await store.releaseLease(spec.id, lease);
  await store.endRun(spec.id, run.execution.id, aborted ? 'aborted' : 'completed', summary);
  deps.metrics.record(spec.id, [{ name: runtimeMetricNames.remainingRows, unit: 'Count', value: 0 }]);
  deps.logger.info('job finished', { jobId: spec.id, rowsDone, aborted });
  return { ...run, decision: aborted ? 'aborted' : 'completed', rowsDone };
}
