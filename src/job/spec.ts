import { z } from 'zod';
import {
  formatTableRef,
  identifierProblem,
  parseTableRef,
  type TableRef,
  tableRefProblem,
} from '../sql/identifiers';
import { ddlSpecSchema } from './ddl-field';
import { featureFlagSchema } from './feature-flag';
import { fleetOptions } from './fleet-options';
import { JOB_ID } from './job-id';
import {
  BATCH_BOUNDS,
  type Bound,
  HEALTH_BOUNDS,
  LIMIT_BOUNDS,
  outOfBoundMessage,
  ROLLBACK_BOUNDS,
} from './limit-bounds';

const identifier = z.string().superRefine((value, ctx) => {
  const problem = identifierProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const tableName = z
  .string()
  .superRefine((value, ctx) => {
    const problem = tableRefProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value): TableRef => parseTableRef(value)!);

/** Author SQL; screened once the engine is known (define-job.ts), since each engine reads quotes its own way. */
const sqlExpression = z.string();

/** Job ids end up in execution names, lock names and DynamoDB keys, so they stay short and plain. */
const jobId = z
  .string()
  .regex(
    JOB_ID,
    'must be lowercase letters, digits and -, starting with a letter or digit, at most 48 characters',
  );

/** A number within `bound` (see limit-bounds.ts); the message gives the bound and the value. */
const within = (bound: Bound, { integer = true } = {}) =>
  (integer ? z.number().int() : z.number()).superRefine((value, ctx) => {
    if (value < bound.min || value > bound.max)
      ctx.addIssue({ code: 'custom', message: outOfBoundMessage(bound, value) });
  });

const batch = z
  .object({
    /** Rows in the first batch. */
    size: within(BATCH_BOUNDS.size).default(1000),
    /** The adaptive size never goes below this. */
    min: within(BATCH_BOUNDS.size).default(100),
    /** The adaptive size never goes above this. Capped so one batch's key list stays a sane statement. */
    max: within(BATCH_BOUNDS.size).default(20_000),
    /**
     * How long one transaction should hold its row locks: the sizer aims each transaction at this
     * (pt-online-schema-change's --chunk-time, GitLab's sub-batch). Short, because an application
     * statement waiting on a row lowtide changed waits for the rest of that transaction: 50 ms is
     * a few of the hand-written loop's 1,000-row commits, and far below any request timeout.
     */
    targetMs: within(BATCH_BOUNDS.targetMs).default(50),
    /**
     * How long one apply step (one ApplyBatch invocation) goes on starting transactions, each a
     * complete batch with its own ledger row. The control loop's fixed cost (Lambda invocations,
     * state transitions, DynamoDB checkpoint and history) is paid once per invocation, not once
     * per transaction. A few seconds: long enough that the fixed cost is a small share, short
     * enough that the health gate, the alarms and the checkpoint mirror still come round often.
     * 0 runs one transaction per invocation.
     */
    invocationBudgetMs: within(BATCH_BOUNDS.invocationBudgetMs).default(3000),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.min > b.max)
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min (${b.min}) must not exceed max (${b.max})`,
      });
    if (b.size < b.min || b.size > b.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['size'],
        message: `size (${b.size}) must lie between min (${b.min}) and max (${b.max})`,
      });
    }
  });

const limits = z
  .object({
    /** Refuse to start when the preflight estimate of matching rows is above this. */
    maxRows: within(LIMIT_BOUNDS.maxRows).optional(),
    /**
     * How long a batch waits for a row or table lock before giving up (then it shrinks and retries).
     * MySQL and MariaDB count lock waits in whole seconds, so there it must be a multiple of 1000.
     */
    lockTimeoutMs: within(LIMIT_BOUNDS.lockTimeoutMs).default(1000),
    /** Upper bound on any one statement of a batch (on MySQL 8: on its SELECTs only). */
    statementTimeoutMs: within(LIMIT_BOUNDS.statementTimeoutMs).default(5000),
    /** A run checkpoints and stops cleanly after this long. */
    maxRuntimeSeconds: within(LIMIT_BOUNDS.maxRuntimeSeconds).default(3600),
    /** Attempts of one batch after a lock or statement timeout before the job pauses. */
    retries: within(LIMIT_BOUNDS.retries).default(3),
    /**
     * Refuse to start when the preflight's estimate of bytes written (WAL or redo/binlog, plus the
     * audit table) is above this. Checked with or without a free-storage figure.
     */
    maxWriteBytes: within(LIMIT_BOUNDS.maxWriteBytes).optional(),
    /** Refuse to start when the estimate is above this share of the free storage, where it is known. */
    maxWriteShare: within(LIMIT_BOUNDS.maxWriteShare, { integer: false }).default(0.5),
  })
  .strict()
  .superRefine((l, ctx) => {
    // Compared only once both are within their own bounds, so each field gets one message.
    if (l.lockTimeoutMs <= LIMIT_BOUNDS.lockTimeoutMs.max && l.lockTimeoutMs > l.statementTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['lockTimeoutMs'],
        message: `lockTimeoutMs (${l.lockTimeoutMs}) must not exceed statementTimeoutMs (${l.statementTimeoutMs})`,
      });
    }
  });

const health = z
  .object({
    /** Pause while any replica is further behind than this. Unreadable lag counts as too much. */
    maxReplicaLagSeconds: within(HEALTH_BOUNDS.maxReplicaLagSeconds, { integer: false }).default(5),
    /** Sleep between batches, giving replicas and the application room. */
    pauseBetweenBatchesMs: within(HEALTH_BOUNDS.pauseBetweenBatchesMs).default(100),
    /** CloudWatch alarm names; any in ALARM pauses the job. */
    alarms: z.array(z.string().min(1).max(255)).default([]),
    /** Resume by itself when the alarm that paused the job returns to OK. */
    autoResume: z.boolean().default(true),
    /** Whether an alarm in INSUFFICIENT_DATA counts as unhealthy. */
    insufficientDataIsUnhealthy: z.boolean().default(true),
    /** Pause while more than this many backends (PostgreSQL) or Threads_running (MySQL) are active. */
    maxActiveSessions: within(HEALTH_BOUNDS.maxActiveSessions).optional(),
    /**
     * A feature flag that must be on for the job to start and to go on: off, preflight blocks and a
     * running job stops after its batch (reason `flag:<name>`), resuming when it is on again unless
     * autoResume is off. Unreadable counts as off.
     */
    featureFlag: featureFlagSchema.optional(),
  })
  .strict();

const customCheck = z
  .object({
    /** Shown in preflight output. */
    name: z.string().min(1).max(100),
    /** A single SELECT whose first column of the first row must be true (or 1). */
    sql: z.string().min(1),
    /** What the operator should do when it is false. */
    reason: z.string().optional(),
  })
  .strict();

const preflight = z
  .object({
    /** Require a unique index over exactly the key columns, in order, and a selection plan that uses an index. */
    requireIndex: z.boolean().default(true),
    /** Columns that must exist on the table. */
    requireColumns: z.array(identifier).default([]),
    /** Named SQL checks that must return true, e.g. the application's schema version. */
    checks: z.array(customCheck).default([]),
  })
  .strict();

const rollback = z
  .object({
    /** Copy each changed row's before-image into an audit table in the batch's transaction. */
    audit: z.boolean().default(false),
    /** Days after the last batch during which the audit data may not be dropped without force. */
    retentionDays: within(ROLLBACK_BOUNDS.retentionDays).default(7),
  })
  .strict();

const verify = z
  .object({
    /** A predicate every row of a batch must satisfy after the batch (update jobs). */
    invariant: sqlExpression.optional(),
  })
  .strict();

const common = {
  id: jobId,
  owner: z.string().min(1, 'must name the team or person who owns the job'),
  description: z.string().optional(),
  engine: z.enum(['postgres', 'mysql']),
  /** The name of a connection in the deployment's config (e.g. `primary`). */
  database: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connection name: letters, digits, _ or -'),
  table: tableName,
  /**
   * What batches walk in order (keyset pagination): a column, or an ordered list of distinct
   * columns (`['tenant_id', 'order_id']`), that is the primary key or a unique index over NOT NULL
   * columns in that order. Left out: the table's primary key, resolved at preflight.
   */
  key: z
    .union([
      identifier,
      z
        .array(identifier)
        .min(1, 'must name at least one column, or leave key out to use the primary key')
        .refine((cols) => new Set(cols).size === cols.length, 'must not name a column twice'),
    ])
    .optional(),
  batch: batch.prefault({}),
  limits: limits.prefault({}),
  health: health.prefault({}),
  preflight: preflight.prefault({}),
  rollback: rollback.prefault({}),
  verify: verify.prefault({}),
  requiresApproval: z.boolean().default(false),
  /**
   * What a new run does once the job's last pass completed: `new-pass` walks the table again from
   * the first key (the default for delete and archive, whose predicates often move with time);
   * `resume` goes on after the last key (the default for update and custom). See rerunOf.
   */
  rerun: z.enum(['new-pass', 'resume']).optional(),
  /** Name of the ledger table lowtide keeps in the target database. */
  ledgerTable: identifier.default('lowtide_ledger'),
  /** SQL run outside the batch template; the DDL guard checks each statement at preflight. */
  ddl: ddlSpecSchema.optional(),
  /** How the job runs when its `database` names a connection group (src/job/fleet-options.ts). */
  fleet: fleetOptions.prefault({}),
};

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `must be a function (${what})` });

export const updateJobSchema = z
  .object({
    ...common,
    kind: z.literal('update'),
    /** Which rows the job changes; rows that stop matching are not selected again. */
    where: sqlExpression.optional(),
    /** Column -> SQL expression. Column names are identifiers; expressions are the author's SQL. */
    set: z
      .record(identifier, sqlExpression)
      .refine((s) => Object.keys(s).length > 0, 'must set at least one column'),
  })
  .strict()
  .superRefine((job, ctx) => {
    // A new pass re-applies `set` to every row `where` still selects: with no `where`, that is
    // every row again (`n = n + 1` twice). A repeating update must say which rows it is for.
    if (job.rerun === 'new-pass' && job.where === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['rerun'],
        message:
          "'new-pass' on an update without `where` would apply `set` to every row again: add a `where` that excludes rows already done, or use 'resume'",
      });
  });

export const deleteJobSchema = z
  .object({
    ...common,
    kind: z.literal('delete'),
    /** Required: a purge of everything must say so (`where: 'true'`). */
    where: sqlExpression,
  })
  .strict();

export const archiveJobSchema = z
  .object({
    ...common,
    kind: z.literal('archive'),
    where: sqlExpression,
    /** Existing table with the same columns; rows are inserted there and deleted here in one transaction. */
    archiveTable: tableName,
  })
  .strict()
  .superRefine((job, ctx) => {
    // Inserting a batch into the table it is deleted from would delete nothing for good and loop.
    // `t` and `s.t` may or may not be one table (search_path, default database): preflight decides.
    const same =
      job.archiveTable.name === job.table.name &&
      (job.archiveTable.schema ?? '') === (job.table.schema ?? '');
    if (same) {
      ctx.addIssue({
        code: 'custom',
        path: ['archiveTable'],
        message: `must be another table than table (${formatTableRef(job.table)}): name the table the rows are moved to`,
      });
    }
  });

export const customJobSchema = z
  .object({
    ...common,
    kind: z.literal('custom'),
    selectBatch: fn('selectBatch(tx, afterKey, limit) => keys'),
    applyBatch: fn('applyBatch(tx, keys) => affected rows'),
    verifyBatch: fn('verifyBatch(tx, keys, affected) => { ok, reason }').optional(),
    plan: fn('plan(db) => { estimatedRows }').optional(),
    validate: fn('validate(db) => { ok, reason }').optional(),
    checks: fn('checks(db) => CheckResult[]').optional(),
  })
  .strict();

export const jobSpecSchema = z
  .discriminatedUnion('kind', [updateJobSchema, deleteJobSchema, archiveJobSchema, customJobSchema])
  .superRefine((job, ctx) => {
    // innodb_lock_wait_timeout and lock_wait_timeout take whole seconds: anything else would be
    // rounded by lowtide or the server, and the promised lock wait would not be the real one.
    if (job.engine === 'mysql' && job.limits.lockTimeoutMs % 1000 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'lockTimeoutMs'],
        message: `must be a whole number of seconds on MySQL and MariaDB (innodb_lock_wait_timeout counts seconds): use ${Math.max(1000, Math.round(job.limits.lockTimeoutMs / 1000) * 1000)}; got ${job.limits.lockTimeoutMs}`,
      });
    }
    if (job.batch.targetMs >= job.limits.statementTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch', 'targetMs'],
        message: `must be below limits.statementTimeoutMs (${job.limits.statementTimeoutMs}): a batch aimed at that long would be cancelled; got ${job.batch.targetMs}`,
      });
    }
  });
