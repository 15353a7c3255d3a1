import type { Checkpoint, Lease } from '../control/types';
import { DbError } from '../db/types';
import { nextSizer } from '../engine';
import type { JobSpec } from '../job/types';
import type { HandlerDeps } from './deps';
import {
  DatabaseConnectionLostError,
  DeadlockError,
  type HandlerError,
  LockTimeoutError,
  LockTimeoutsExhaustedError,
  StatementTimeoutError,
  StatementTimeoutsExhaustedError,
} from './errors';
import { runtimeMetricNames } from './job-metrics';

interface Context {
  readonly deps: HandlerDeps;
  readonly spec: JobSpec;
  readonly lease: Pick<Lease, 'token'>;
  readonly checkpoint: Checkpoint;
  /** Retries of this batch so far ($$.State.RetryCount). */
  readonly retryCount: number;
}

const CONTENTION = {
  'lock-timeout': LockTimeoutError,
  'statement-timeout': StatementTimeoutError,
  deadlock: DeadlockError,
};

/**
 * Turns a failed batch into the error the state machine acts on. Contention (lock or statement
 * timeout, deadlock) halves the persisted batch size first, so the ASL's retry runs a smaller
 * batch; once the job's `limits.retries` are spent it becomes StatementTimeoutsExhausted when the
 * last attempt ran out of statement time, LockTimeoutsExhausted otherwise: each pauses the job with
 * its own reason. A lost connection is retried as long. Anything else is rethrown as is (a failure).
 */
export async function translateBatchError(
  error: unknown,
  { deps, spec, lease, checkpoint, retryCount }: Context,
): Promise<unknown> {
  if (!(error instanceof DbError)) return error;
  const spent = retryCount >= spec.limits.retries;
  const attempt = `attempt ${retryCount + 1} of ${spec.limits.retries + 1}`;
  if (error.kind === 'connection') {
    return spent ? error : new DatabaseConnectionLostError(`${error.message} (${attempt})`, { cause: error });
  }
  if (!(error.kind in CONTENTION)) return error;
  const sizer = nextSizer(spec.batch, checkpoint.sizer, { timedOut: true });
  await deps.store.saveCheckpoint(spec.id, lease, { ...checkpoint, sizer, at: deps.now().toISOString() });
  deps.metrics.record(spec.id, [{ name: runtimeMetricNames.lockTimeouts, unit: 'Count', value: 1 }]);
  deps.logger.warn('batch hit contention', {
    jobId: spec.id,
    kind: error.kind,
    attempt,
    nextSize: sizer.size,
  });
  const detail = `${error.message}; batch size cut to ${sizer.size} (${attempt})`;
  if (spent && error.kind === 'statement-timeout') {
    return new StatementTimeoutsExhaustedError(
      `a batch statement ran past limits.statementTimeoutMs (${spec.limits.statementTimeoutMs} ms) on the last ` +
        `attempt (limits.retries = ${spec.limits.retries}): ${detail}. ` +
        'Make the batch cheaper (a lower batch.max, an index for the where clause, a cheaper set) or raise limits.statementTimeoutMs, then resume the job',
      { cause: error },
    );
  }
  if (spent) {
    return new LockTimeoutsExhaustedError(
      `${error.kind} on every attempt (limits.retries = ${spec.limits.retries}): ${detail}. ` +
        'Find the session holding the locks, then resume the job',
      { cause: error },
    );
  }
  const Kind = CONTENTION[error.kind as keyof typeof CONTENTION];
  return new Kind(detail, { cause: error }) satisfies HandlerError;
}
