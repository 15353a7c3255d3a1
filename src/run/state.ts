import { z } from 'zod';
import type { Lease } from '../control/types';

const isoTime = z.iso.datetime({ offset: true });

/**
 * What the console, the CLI and EventBridge Scheduler pass to a new execution. Strict, so a typo
 * such as `dryrun` is refused instead of silently running for real.
 */
export const executionInputSchema = z
  .object({
    jobId: z.string().min(1),
    dryRun: z.boolean().optional(),
    /** Runs the rollback of `jobId` (under the control-state id `<jobId>-rollback`) instead of the job. */
    rollback: z.boolean().optional(),
    /** With rollback: overwrite rows the application changed after the job instead of reporting them. */
    force: z.boolean().optional(),
    /** `jobId` names a recipe: the run steps through its phases (src/runtime/runnable/recipe-work.ts). */
    recipe: z.boolean().optional(),
    window: z
      .object({
        /** The scheduler passes `<aws.scheduler.scheduled-time>`. */
        scheduledAt: isoTime.optional(),
        durationMinutes: z.number().positive().optional(),
        endsAt: isoTime.optional(),
      })
      .strict()
      .optional(),
    generation: z.number().int().min(0).optional(),
    runId: z
      .string()
      .regex(/^[a-z0-9]{1,16}$/, 'must be 1-16 lowercase letters or digits')
      .optional(),
    /** Set by a continuing execution for its successor: when the run (generation 0) started. */
    runStartedAt: isoTime.optional(),
    /** Links a successor to its parent in the Step Functions console. */
    AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: z.string().optional(),
  })
  .strict();

export type ExecutionInput = z.infer<typeof executionInputSchema>;

/**
 * The lease as the payload carries it: control's Lease (src/control/types.ts is the one source of
 * truth) without the local holder, which stays in the control item.
 */
export const leaseSchema = z.object({
  owner: z.string(),
  token: z.number().int(),
  expiresAt: z.number(),
});

export type PayloadLease = Omit<Lease, 'holder'>;

// Compile-time check that the schema and control's Lease agree, in both directions.
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const leaseSchemaMatchesControl: Agree<z.infer<typeof leaseSchema>, PayloadLease> = true;
void leaseSchemaMatchesControl;

/** The lease as it travels in the payload: control's Lease without the local holder. */
export function payloadLease({ owner, token, expiresAt }: Lease): PayloadLease {
  return { owner, token, expiresAt };
}

const batchSummarySchema = z.object({
  batchNo: z.number().int(),
  firstKey: z.string(),
  lastKey: z.string(),
  selected: z.number().int(),
  affected: z.number().int(),
  /** The apply step's: from its first transaction's start to its last one's end. */
  durationMs: z.number(),
  /** The first of the step's transactions (absent: the step ran one, `batchNo`). */
  firstBatchNo: z.number().int().optional(),
  /** Transactions the step committed, each a batch with its own ledger row (absent: 1). */
  transactions: z.number().int().min(1).optional(),
  longestTransactionMs: z.number().optional(),
  /** Application sessions seen waiting on the step's locks, the most at one sample. */
  blockedSessions: z.number().int().min(0).optional(),
  longestBlockedWaitMs: z.number().min(0).optional(),
});

export type BatchSummary = z.infer<typeof batchSummarySchema>;

const stopSchema = z.object({
  outcome: z.enum(['paused', 'aborted', 'window-closed', 'continued']),
  /** For the operator: why the run stopped. */
  reason: z.string(),
  /** For a pause the job must remember (lock-timeouts): the pause request to record. */
  pauseReason: z.string().optional(),
});

export type StopRequest = z.infer<typeof stopSchema>;

/**
 * A work's position between steps, which the work alone interprets (a recipe's: its phase).
 * Absent for a work whose position is its ledger and checkpoint (every job).
 */
const workCursorSchema = z.object({
  /** The step under way over several ApplyBatches (a recipe's backfill phase: its end is the ledger's, not a catalog scan). */
  phase: z.string().optional(),
  /** What the last ApplyBatch finished, for VerifyBatch to check instead of a batch (a recipe's phase, read back from the catalog). */
  verify: z.string().optional(),
});

export type WorkCursor = z.infer<typeof workCursorSchema>;

/**
 * The payload the state machine carries from state to state: ids, counters, the lease and the last
 * batch's keys. Never rows. Handlers read it, return the next one, and the Choice states branch on
 * `decision`. Unknown fields (the ASL's own `error`, `successor.started`) pass through.
 */
export const runStateSchema = z.looseObject({
  jobId: z.string(),
  runId: z.string(),
  generation: z.number().int().min(0),
  execution: z.object({ id: z.string(), name: z.string() }),
  runStartedAt: isoTime,
  dryRun: z.boolean(),
  rollback: z.boolean(),
  /** A forced rollback (only with `rollback`). */
  force: z.boolean().optional(),
  /** A recipe's run: each ApplyBatch is one step of its current phase. */
  recipe: z.boolean().optional(),
  /** Where the work stands between its steps; only the work reads and writes it (src/runtime/work). */
  cursor: workCursorSchema.optional(),
  windowEndsAt: isoTime.optional(),
  decision: z.string(),
  /** Health-gate visits in this execution; continue-as-new counts these. */
  iteration: z.number().int().min(0),
  /** Retries the loop's tasks reported in this execution: each adds history events, so continue-as-new counts them too. */
  historyRetries: z.number().int().min(0).optional(),
  /** Seconds the next Wait state waits (WaitBetweenBatches or WaitBackoff). */
  waitSeconds: z.number().int().min(0),
  lease: leaseSchema.optional(),
  /** Since when the gate has been holding the job back, for "paused too long". */
  unhealthySince: isoTime.optional(),
  batch: batchSummarySchema.optional(),
  rowsDone: z.number().optional(),
  health: z
    .object({
      verdict: z.string(),
      reasons: z.array(z.string()),
      /** The signals that held the job back at this gate; the next gate tells them so (hysteresis). */
      heldBy: z.array(z.string()).optional(),
    })
    .optional(),
  /** The replica lag the last gate measured (the largest over the replicas), for the batch's history. */
  replicaLagSeconds: z.number().min(0).optional(),
  stop: stopSchema.optional(),
});

export type RunState = z.infer<typeof runStateSchema>;
