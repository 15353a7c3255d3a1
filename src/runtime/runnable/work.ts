import type { JobState } from '../../control/types';
import type { JobSpec } from '../../job/types';
import type { ExecutionInput, PayloadLease, RunState } from '../../run/state';
import type { DecisionOf } from '../../run/steps';
import type { HandlerDeps } from '../deps';
import type { PlanSummary } from '../plan-summary';

/**
 * What a run executes, whatever it is: a job of any kind, a rollback, a recipe. The handlers, the
 * local runtime and the CLI drive it through these methods alone, so none of them asks which kind
 * it is; `resolveWork` (resolve-work.ts) is the one place that picks it.
 */
export interface Work {
  /** The job whose lease, checkpoint, ledger, advisory lock and health gate the run holds. */
  readonly spec: JobSpec;
  /** Everything that keeps the run from starting (control state and database alike), and its plan. */
  preflight(ctx: PreflightContext): Promise<WorkPreflight>;
  /** One ApplyBatch: one batch, or one step of the work's own (the cursor says where it stands). */
  step(ctx: StepContext): Promise<StepOutcome>;
  /** VerifyBatch: what the last step committed is still there, or VerificationFailedError. */
  verify(ctx: StepContext): Promise<Verified>;
}

export interface PreflightContext {
  readonly deps: HandlerDeps;
  /** The run as it starts (src/runtime/run-start.ts). */
  readonly run: RunState;
  /** The execution's input as given: what it asks for beyond the run state (`force`). */
  readonly input: ExecutionInput;
}

export interface WorkPreflight {
  /** Each says what the operator should do; none means the run may start. */
  readonly reasons: readonly string[];
  readonly plan?: PlanSummary;
}

export interface StepContext {
  readonly deps: HandlerDeps;
  readonly run: RunState;
  readonly lease: PayloadLease;
  /** `$$.State.RetryCount`: the attempts the state machine has already retried this step. */
  readonly retryCount: number;
}

/**
 * What a step changes in the run state, which the handler merges in: the decision the Choice after
 * it reads, and what the next states need. A `cursor` key present as undefined clears the cursor.
 */
type RunPatch<Decision extends string> = { readonly decision: Decision } & {
  readonly [F in 'batch' | 'rowsDone' | 'waitSeconds' | 'health' | 'cursor']?: RunState[F];
};

export type StepOutcome = RunPatch<DecisionOf<'applyBatch'>>;

export type Verified = RunPatch<DecisionOf<'verifyBatch'>>;

/**
 * The job that must not run alongside a work's own: a rollback's original, an audited job's
 * rollback. They take different advisory locks, so the control state is what keeps them apart.
 */
export interface Counterpart {
  readonly jobId: string;
  /** The reason to give while it holds a live lease (`busy` names the lease's owner and expiry). */
  running(busy: string): string;
}

/** A counterpart as preflight read it from the control state. */
export interface CounterpartState extends Counterpart {
  readonly job: JobState | undefined;
}
