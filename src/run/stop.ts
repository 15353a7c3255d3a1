import { isPauseReason } from '../control/job-item';
import type { Lease, Transition } from '../control/types';
import { siblingExecutionArn } from './naming';
import type { StopRequest } from './state';

export interface StopInput {
  readonly stop: StopRequest;
  /** The reason as the operator reads it (the stop's own, with the error's cause when there was one). */
  readonly reason: string;
  readonly lease: Pick<Lease, 'owner' | 'token'>;
  readonly executionId: string;
  /** For a continuation: the successor's execution name, and the lifetime of the lease it is handed. */
  readonly successor?: { readonly name: string; readonly ttlMs: number };
}

/**
 * A clean stop. The checkpoint stays; the status, the run record and (for lock timeouts) a pause
 * request say why. A continuation hands the lease straight to the successor's execution, so no
 * other start can slip in between. A run out of time goes idle, to resume at the next start; one
 * already waiting out a pause stays paused.
 */
export function stop({ stop, reason, lease, executionId, successor }: StopInput): Transition {
  if (stop.outcome === 'continued') {
    if (!successor) throw new Error('a continuation needs its successor');
    return {
      lease: {
        kind: 'transfer',
        lease,
        to: siblingExecutionArn(executionId, successor.name),
        ttlMs: successor.ttlMs,
      },
      endRun: { executionId, outcome: 'continued', reason: `continued as ${successor.name}` },
    };
  }
  const { outcome, pauseReason } = stop;
  return {
    ...(pauseReason && isPauseReason(pauseReason)
      ? { pauseRequest: { reason: pauseReason, by: executionId, message: reason } }
      : {}),
    status:
      outcome === 'window-closed'
        ? { to: 'idle', reason, instead: { from: ['paused', 'pausing'], to: 'paused' } }
        : { to: outcome, reason },
    lease: { kind: 'release', lease },
    endRun: { executionId, outcome, reason },
  };
}
