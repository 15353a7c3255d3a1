import { executionEventSchema, releaseLeftBehind } from '../../run/execution-end';
import type { HandlerDeps } from '../deps';
import { runJobIdOfInput } from '../runnable/work-ref';
import { parsePayload } from './common';

export interface ExecutionEndHandled {
  readonly executionArn: string;
  readonly jobId?: string;
  readonly released: boolean;
}

/**
 * An execution ended without its own clean-up: release its lease and record the outcome
 * (src/run/execution-end.ts). A batch Lambda still running finishes or rolls back on its own; the
 * ledger's fencing token refuses it if a new owner has started meanwhile.
 */
export async function onExecutionEnd(event: unknown, deps: HandlerDeps): Promise<ExecutionEndHandled> {
  const { detail } = parsePayload(executionEventSchema, event, 'Step Functions execution event');
  const { executionArn, status } = detail;
  const jobId = runJobIdOfInput(detail.input);
  const release = releaseLeftBehind(detail);
  if (!release || !jobId) return { executionArn, jobId, released: false };
  const { released } = await deps.store.commit(jobId, release);
  deps.logger.info('execution ended', { jobId, executionArn, status, released });
  return { executionArn, jobId, released };
}
