import type { JobState } from '../../control/types';
import { BETWEEN_TRANSACTIONS, evaluateHealth } from '../../health';
import type { JobSpec } from '../../job/types';
import type { AppliedBatch } from '../../run/after-batch';
import type { PayloadLease, RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { healthContext } from '../health-step';

/**
 * How often, at most, an apply step reads the job item between its transactions for pause and
 * abort requests and the lease: one DynamoDB read per interval, however short the transactions.
 * 250 ms makes a pause recorded mid-invocation take effect well inside a second (the current
 * transaction, at most one request interval, then the step's end), which is what maintenance_tasks
 * promises for its cooperative pause.
 */
export const REQUEST_CHECK_MS = 250;

/** How often, at most, replica lag is read between transactions: a heartbeat probe per replica. */
export const LAG_CHECK_MS = 1000;

/**
 * Stop while the lease still has room for the next transaction and this much more (or a quarter
 * of the lease's lifetime, when that is shorter): enough for the step's DynamoDB writes and the
 * health gate that follows, which renews it.
 */
export const LEASE_MARGIN_MS = 60_000;

/**
 * Consecutive transactions that application sessions waited on before the step ends and lets the
 * loop's wait and health gate give the application room. Each such transaction already halved
 * the next one's size.
 */
export const BLOCKED_TRANSACTIONS_TO_BACK_OFF = 3;

/** The longest the step pauses, holding nothing, after a transaction an application waited on. */
export const BLOCKED_PAUSE_MAX_MS = 500;

export interface BetweenContext {
  readonly deps: HandlerDeps;
  readonly spec: JobSpec;
  readonly run: RunState;
  readonly lease: PayloadLease;
  /** The job item the step started from. */
  readonly job: JobState;
  /** `performance.now()` when the step's first transaction started. */
  readonly startedAt: number;
}

/**
 * Decides, after each committed transaction, whether the apply step starts another: its
 * invocation budget, the foreground-impact signal, pause and abort requests, the lease, the run
 * window and runtime, and replica lag. Each read has its own interval, so the cost per
 * transaction stays bounded however short the transactions are. Returns why to stop, or
 * undefined to go on.
 */
export function betweenTransactions(ctx: BetweenContext): {
  next(last: AppliedBatch): Promise<string | undefined>;
} {
  const { deps, spec, run, lease } = ctx;
  let job = ctx.job;
  let requestsReadAt = ctx.startedAt;
  let lagReadAt = ctx.startedAt;
  let blockedInARow = 0;

  return {
    async next(last) {
      const now = performance.now();
      const elapsed = now - ctx.startedAt;
      // The next transaction is sized to at most 1.2x this one (src/engine/batch-sizer.ts).
      const nextMs = last.durationMs * 1.2;
      if (elapsed + nextMs > spec.batch.invocationBudgetMs) {
        return `invocation budget: ${Math.round(elapsed)} ms of batch.invocationBudgetMs ${spec.batch.invocationBudgetMs}`;
      }
      const blocked = last.impact?.blockedSessions ?? 0;
      blockedInARow = blocked > 0 ? blockedInARow + 1 : 0;
      if (blockedInARow >= BLOCKED_TRANSACTIONS_TO_BACK_OFF) {
        return `foreground impact: application sessions waited on ${blockedInARow} transactions in a row`;
      }
      const leaseLeftMs = lease.expiresAt - deps.now().getTime();
      if (leaseLeftMs < nextMs + Math.min(LEASE_MARGIN_MS, deps.settings.leaseTtlMs / 4)) {
        return `lease: ${Math.round(leaseLeftMs / 1000)} s left; the health gate renews it`;
      }
      if (now - requestsReadAt >= REQUEST_CHECK_MS) {
        requestsReadAt = now;
        job = (await deps.store.getJob(spec.id)) ?? job;
        if (job.lease?.token !== lease.token) return 'lease: taken over by another owner';
        const health = await evaluateHealth(
          BETWEEN_TRANSACTIONS.requests,
          await healthContext(deps, spec, job, run, deps.now(), nextMs),
        );
        if (health.verdict !== 'ok') return health.decisive?.reason ?? health.verdict;
      }
      if (now - lagReadAt >= LAG_CHECK_MS) {
        lagReadAt = now;
        const health = await evaluateHealth(
          BETWEEN_TRANSACTIONS.lag,
          await healthContext(deps, spec, job, run, deps.now(), nextMs),
        );
        if (health.verdict !== 'ok') return health.decisive?.reason ?? health.verdict;
      }
      if (blocked > 0) {
        // Hold nothing for a moment: the waiting sessions run, the next transaction is half as big.
        await sleep(Math.min(BLOCKED_PAUSE_MAX_MS, Math.max(last.impact?.longestWaitMs ?? 0, 10)));
      }
      return undefined;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
