import { type DecisionOf, STEPS, stepOfState } from '../../run/steps';
import type { RuntimeEvent } from '../../runtime/local/types';
import type { ProgressEvent } from '../progress/events';

/** A batch the state machine will try again (contention, a lost connection): worth telling the operator. */
function isRetriedBatch(state: string, error: string): boolean {
  return stepOfState(state) === 'applyBatch' && STEPS.applyBatch.retriedErrors.some((name) => name === error);
}

/** The run took its lease: from here on it is the job's run, not a duplicate start. */
export function isLeaseAcquired(event: RuntimeEvent): boolean {
  return (
    event.type === 'task-succeeded' &&
    stepOfState(event.state) === 'acquireLease' &&
    event.decision === ('acquired' satisfies DecisionOf<'acquireLease'>)
  );
}

/** The progress a local runtime event means for the job being watched, if any. */
export function toProgressEvents(event: RuntimeEvent, jobId: string, at: number): ProgressEvent[] {
  switch (event.type) {
    case 'batch-applied':
      if (event.jobId !== jobId) return [];
      return [
        {
          type: 'batch',
          batchNo: event.batch.batchNo,
          rows: event.batch.affected,
          rowsDone: event.rowsDone,
          batchSize: Math.round(event.batch.selected / (event.batch.transactions ?? 1)),
          durationMs: event.batch.durationMs,
          transactions: event.batch.transactions ?? 1,
          longestTransactionMs: event.batch.longestTransactionMs ?? event.batch.durationMs,
          at,
        },
      ];
    case 'health':
      if (event.jobId !== jobId || event.decision !== 'wait') return [];
      return [{ type: 'waiting', reason: event.reasons.join('; ') || 'held back by the health gate', at }];
    case 'task-failed':
      if (!isRetriedBatch(event.state, event.error)) return [];
      return [{ type: 'retry', reason: `${event.error}: ${event.message}`, at }];
    default:
      return [];
  }
}
