/**
 * The accepted range of every numeric job limit, in one place so the schema, the error messages and
 * the README say the same thing. Each range is one both engines apply exactly as written: a value a
 * server would clamp, round or read as "no limit" is refused at spec time instead.
 */

export interface Bound {
  readonly min: number;
  readonly max: number;
  /** Why the bound is where it is, for the docs. */
  readonly why: string;
}

/**
 * The longest a single batch statement may run. The apply step's Lambda function has 300 s
 * (infra/function-catalog.ts); a batch runs a handful of statements (lock and timeouts, ledger head,
 * keyset select, before-image copy, change, invariant, ledger row, commit), each up to this long, so
 * the whole batch ends — cancelled by the server, reported by lowtide — well before Lambda would kill
 * the process with the transaction still open. It is also far below what every server accepts
 * (PostgreSQL's int milliseconds, MariaDB max_statement_time, MySQL max_execution_time).
 */
export const MAX_STATEMENT_TIMEOUT_MS = 30_000;

/** Statements a batch transaction runs at most, each bounded by the statement timeout. */
export const MAX_STATEMENTS_PER_BATCH = 8;

export const LIMIT_BOUNDS = {
  /** Below 100 ms the ledger read and keyset select of an ordinary batch cannot finish on a busy server. */
  statementTimeoutMs: {
    min: 100,
    max: MAX_STATEMENT_TIMEOUT_MS,
    why: 'a batch statement must end well inside the apply step (300 s Lambda timeout)',
  },
  lockTimeoutMs: {
    min: 1,
    max: MAX_STATEMENT_TIMEOUT_MS,
    why: 'a lock wait is part of a statement, so it never exceeds the statement timeout',
  },
  maxRows: {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    why: 'counts beyond 2^53 are not exact in JSON',
  },
  maxWriteBytes: {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    why: 'byte counts beyond 2^53 are not exact in JSON',
  },
  maxWriteShare: {
    min: 0.01,
    max: 1,
    why: 'a share of the free storage: above 1 would allow filling the disk',
  },
  maxRuntimeSeconds: {
    min: 1,
    max: 365 * 24 * 3600,
    why: 'one year, the longest a Step Functions Standard execution may last',
  },
  retries: {
    min: 0,
    max: 20,
    why: 'every retry adds history events and backoff; past 20 the job should pause and be looked at',
  },
} as const satisfies Record<string, Bound>;

/**
 * The longest an apply step's invocation runs transactions (batch.invocationBudgetMs). A
 * transaction starts only while the budget has time left, so an invocation ends within the budget
 * plus one transaction: at worst 20 s plus MAX_STATEMENTS_PER_BATCH statements of 30 s (260 s),
 * which with the DynamoDB writes after it still ends inside the ApplyBatch function's 300 s
 * timeout (src/config/function-timeouts.ts; test/infra/invocation-budget.test.ts keeps them in step).
 */
export const MAX_INVOCATION_BUDGET_MS = 20_000;

export const BATCH_BOUNDS = {
  size: { min: 1, max: 50_000, why: "one batch's key list must stay a sane statement" },
  invocationBudgetMs: {
    min: 0,
    max: MAX_INVOCATION_BUDGET_MS,
    why: "an invocation's last transaction must still end far inside the apply step's 300 s Lambda timeout; 0 runs one transaction per invocation",
  },
  targetMs: {
    min: 10,
    max: MAX_STATEMENT_TIMEOUT_MS,
    why: 'a batch aimed longer than a statement may run would be cancelled every time',
  },
} as const satisfies Record<string, Bound>;

export const HEALTH_BOUNDS = {
  maxReplicaLagSeconds: {
    min: 0.001,
    max: 86_400,
    why: 'a lag limit above a day protects nothing',
  },
  pauseBetweenBatchesMs: {
    min: 0,
    max: 3_600_000,
    why: 'a pause longer than an hour is a schedule: use a run window instead',
  },
  maxActiveSessions: { min: 1, max: 100_000, why: 'beyond any server connection limit' },
} as const satisfies Record<string, Bound>;

export const ROLLBACK_BOUNDS = {
  retentionDays: { min: 0, max: 3650, why: 'ten years' },
} as const satisfies Record<string, Bound>;

/** The message for a value outside its bound (the path names the field): the bound and the value. */
export function outOfBoundMessage(bound: Bound, value: number): string {
  return `must be between ${bound.min} and ${bound.max} (${bound.why}); got ${value}`;
}
