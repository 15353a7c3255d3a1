import type { Database, Engine } from '../db/types';
import type { ConsentLookup } from '../ddl/consent';
import type { RuleSettings } from '../ddl/rule-settings';
import type { StatementCeiling } from '../job/statement-ceiling';
import type { JobSpec } from '../job/types';

/**
 * How a DDL phase's statements run. `transaction`: all of them in one short transaction under the
 * lock timeout (one statement per phase, except a swap that must be atomic). `none`: each on its
 * own session outside any transaction, as CONCURRENTLY requires.
 */
export type DdlMode = 'transaction' | 'none';

export interface DdlPhase {
  readonly kind: 'ddl';
  readonly name: string;
  readonly statements: readonly string[];
  readonly mode: DdlMode;
  /**
   * The recipe vouches for these statements (they are the safe form, or an operator already gave
   * consent for the step that makes them safe). Otherwise a blocking finding waits for an
   * operator's consent, which makes the phase a gate.
   */
  readonly selfConsented: boolean;
  /** Why the phase exists, shown when it blocks. */
  readonly purpose: string;
  /** Reads the catalog: true when the phase's effect is already there (a rerun skips it). */
  done(db: Database): Promise<boolean>;
  /**
   * Read before the phase runs: why it cannot run now (e.g. an earlier build of the same index is
   * still running on the server), or undefined.
   */
  blocker?(db: Database): Promise<string | undefined>;
  /** Said (logged, and in the phase's report) when the phase applies: what it cleaned up and why. */
  readonly notice?: string;
  /** Run after a failed attempt so that attempt leaves nothing half-built (e.g. an INVALID index). */
  readonly cleanup?: readonly string[];
  /**
   * Upper bound on one statement, as the recipe's author set it. Unset: the runner's default (see
   * phase-timeout.ts), never more than the statement ceiling where it runs (on Lambda, the ApplyBatch
   * function's timeout less a margin). Preflight refuses a value above that ceiling.
   */
  readonly statementTimeoutMs?: number;
  /**
   * The statement reads the whole table `passes` times (CREATE INDEX CONCURRENTLY twice, VALIDATE
   * CONSTRAINT once, a MySQL in-place index build twice), so its duration grows with the table:
   * preflight estimates it from the table's size and refuses what cannot finish in time.
   */
  readonly tableScan?: { readonly table: string; readonly passes: number };
}

export interface BackfillPhase {
  readonly kind: 'backfill';
  readonly name: string;
  /** An ordinary update job: it runs through the same preflight, batches and checkpoints as any other. */
  readonly job: JobSpec;
  /**
   * Run before the job, e.g. ANALYZE of a column just added: without statistics the planner
   * guesses the backfill's predicate selective and prefers a full scan, which preflight refuses.
   */
  readonly prepare?: readonly string[];
  done(db: Database): Promise<boolean>;
}

export type Phase = DdlPhase | BackfillPhase;

/** A schema change made of phases; each phase is idempotent, so a rerun resumes where it stopped. */
export interface Recipe {
  readonly id: string;
  readonly engine: Engine;
  /** The table it changes (`schema.table` or `table`), which the job a recipe runs under names. */
  readonly table: string;
  readonly phases: readonly Phase[];
}

/** What a backfill phase's job run ended with (the local runtime or a Step Functions execution). */
export interface JobRunResult {
  /** The state machine's terminal state: Completed, Blocked, Paused, ... */
  readonly exit: string;
  readonly reasons?: readonly string[];
}

export interface RecipeRunOptions {
  readonly db: Database;
  /** Runs a backfill phase's job to its end (e.g. `runtime.run({ jobId })`). */
  readonly runJob: (spec: JobSpec) => Promise<JobRunResult>;
  /** Operators' consents (the control store's, for the recipe's id). */
  readonly consents: ConsentLookup;
  /** Lock timeout of each DDL attempt. Default 2000 ms. */
  readonly lockTimeoutMs?: number;
  /** Attempts after a lock timeout. Default 10. */
  readonly retries?: number;
  /** First back-off after a lock timeout, doubled per attempt up to 30 s. Default 500 ms. */
  readonly backoffMs?: number;
  /** Where one statement may run no longer than this (none by default: runRecipe runs locally). */
  readonly ceiling?: StatementCeiling;
  /** Scan throughput the duration estimate of a table-sized phase assumes. Default DEFAULT_SCAN_MB_PER_SECOND. */
  readonly scanMbPerSecond?: number;
  /** The repository's DDL rule settings (the deployment config's `ddlGuard`), as `lowtide lint` applies them. */
  readonly ddlRules?: RuleSettings;
  readonly onPhase?: (event: PhaseReport) => void;
}

export type PhaseOutcome = 'skipped' | 'applied' | 'blocked' | 'failed';

export interface PhaseReport {
  readonly phase: string;
  readonly outcome: PhaseOutcome;
  /** Lock-timeout retries it took (DDL phases). */
  readonly retries?: number;
  readonly detail?: string;
}

export interface RecipeResult {
  readonly recipeId: string;
  /** completed: every phase is done; blocked: waiting for consent or a job; failed: a phase failed. */
  readonly status: 'completed' | 'blocked' | 'failed';
  readonly phases: readonly PhaseReport[];
  /** For blocked and failed: what the operator should do. */
  readonly reasons: readonly string[];
}
