import { ConcurrentUpdateError } from './errors';
import { backoffDelay, type RetryOptions } from './retry';
import type { UpdateExpression } from './update-expression';

/** What one round decides: an answer without writing, or a conditional write and what it yields. */
export type Decision<T, W> =
  | { readonly answer: T }
  | { readonly write: UpdateExpression; readonly done: (written: W) => T };

export interface OptimisticWrite<S, T, W> {
  readonly jobId: string;
  /** Names the operation in ConcurrentUpdateError. */
  readonly operation: string;
  /** How many lost conditional writes end in ConcurrentUpdateError. */
  readonly attempts: number;
  /** A jittered wait before reading again after a lost write (for bursts of writers). */
  readonly backoff?: RetryOptions;
  /**
   * Write first: the decision made without a read. After each lost write the item is then read at
   * once, so the answer for a refusal (held by another, illegal transition) is given even after the
   * last loss; without it every round reads first.
   */
  readonly first?: Decision<T, W>;
  read(): Promise<S>;
  decide(seen: S): Decision<T, W> | Promise<Decision<T, W>>;
  /** The conditional write: what it wrote, or undefined when its condition failed. */
  write(u: UpdateExpression): Promise<W | undefined>;
}

/**
 * Read, decide, write conditioned on what was read; a write that lost the race is decided afresh on
 * what is there now, never resent blindly. Losing `attempts` times in a row means a writer in a loop.
 */
export async function optimisticWrite<S, T, W>(plan: OptimisticWrite<S, T, W>): Promise<T> {
  const lostTooOften = () => new ConcurrentUpdateError(plan.jobId, plan.operation, plan.attempts);
  let decision = plan.first ?? (await plan.decide(await plan.read()));
  for (let lost = 0; ; ) {
    if ('answer' in decision) return decision.answer;
    if (lost === plan.attempts) throw lostTooOften();
    const written = await plan.write(decision.write);
    if (written !== undefined) return decision.done(written);
    lost += 1;
    if (!plan.first && lost === plan.attempts) throw lostTooOften();
    if (plan.backoff) await sleep(backoffDelay(lost, plan.backoff));
    decision = await plan.decide(await plan.read());
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
