import type { RuntimeEvent } from '../../runtime/local/types';
import type { ProgressEvent } from '../progress/events';

/** Errors the state machine retries ApplyBatch on: contention and lost connections. */
const RETRIED = new Set(['LockTimeout', 'StatementTimeout', 'Deadlock', 'DatabaseConnectionLost']);

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
          batchSize: event.batch.selected,
          durationMs: event.batch.durationMs,
          at,
        },
      ];
    case 'health':
      if (event.jobId !== jobId || event.decision !== 'wait') return [];
      return [{ type: 'waiting', reason: event.reasons.join('; ') || 'held back by the health gate', at }];
    case 'task-failed':
      if (event.state !== 'ApplyBatch' || !RETRIED.has(event.error)) return [];
      return [{ type: 'retry', reason: `${event.error}: ${event.message}`, at }];
    default:
      return [];
  }
}
