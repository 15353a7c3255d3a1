import type { Lease } from '../control/types';
import type { Database } from '../db/types';
import { jobLockName, readLedger } from '../engine';
import type { JobSpec } from '../job/types';
import type { BackfillPhase, DdlPhase, Phase } from '../recipes';
import { guardPhase, phaseRefusals } from '../recipes/phase-guard';
import { currentPhase, phaseNamed } from '../recipes/registration';
import { RecipeBusyError, runDdlPhase } from '../recipes/run-ddl';
import { jobPreflight } from '../run/preflight-checks';
import type { RunState } from '../run/state';
import { translateBatchError } from './batch-errors';
import type { HandlerDeps } from './deps';
import { RecipePhaseRefusedError, VerificationFailedError } from './errors';
import { initialCheckpoint, pacingSeconds } from './handlers/common';
import { type PlanSummary, planSummary } from './plan-summary';
import { requireRecipe } from './run-job';
import { jobCeiling, recipeLimits } from './statement-limits';

/**
 * A recipe's run through the same state machine as a job. Preflight guards the phase the catalog
 * says is next; each ApplyBatch is one step of the current phase (one guarded DDL attempt under the
 * job's short lock timeout, whose lock timeouts the ASL retries, or one ordinary batch of the
 * backfill); VerifyBatch reads the phase's effect back from the catalog. A new execution finds
 * its phase again in the catalog, so it resumes where the last one stopped.
 */

export interface RecipePreflight {
  readonly reasons: readonly string[];
  readonly phase?: string;
  readonly plan?: PlanSummary;
}

async function consentsOf(deps: HandlerDeps, recipeId: string) {
  const consents = (await deps.store.getJob(recipeId))?.ddlConsents ?? {};
  return async (fingerprint: string) => consents[fingerprint];
}

/** What keeps the recipe's next phase from running, read-only (ANALYZE aside, which a backfill's plan needs). */
export async function recipePreflight(
  run: RunState,
  spec: JobSpec,
  deps: HandlerDeps,
): Promise<RecipePreflight> {
  const { recipe } = requireRecipe(deps, run.jobId);
  if (run.rollback) {
    return { reasons: [`rollback: recipe ${recipe.id} cannot be rolled back; start it without rollback`] };
  }
  const db = await deps.connections.open(spec.database);
  if (db.engine !== recipe.engine) {
    return {
      reasons: [`engine: recipe ${recipe.id} is for ${recipe.engine}, but ${spec.database} is ${db.engine}`],
    };
  }
  const phase = await currentPhase(recipe, db);
  if (!phase) return { reasons: [] };
  if (phase.kind === 'ddl') {
    const limits = recipeLimits(deps.settings, recipe.id);
    return {
      phase: phase.name,
      reasons: await guardPhase(db, phase, await consentsOf(deps, recipe.id), limits),
    };
  }
  await prepare(db, phase);
  const report = await jobPreflight({
    spec,
    db,
    replicas: await deps.connections.replicas(spec.database),
    statementCeiling: jobCeiling(deps.settings),
    // Read only if the guard meets a statement that needs consent: a backfill rarely carries DDL.
    consent: async (fingerprint) => (await consentsOf(deps, recipe.id))(fingerprint),
  });
  const reasons = report.checks
    .filter((c) => !c.ok && c.severity !== 'warning')
    .map((c) => `${phase.name}: ${c.name}: ${c.reason}`);
  return { phase: phase.name, reasons, plan: planSummary(spec, report) };
}

async function prepare(db: Database, phase: BackfillPhase): Promise<void> {
  for (const statement of phase.prepare ?? []) await db.query(statement);
}

interface StepContext {
  readonly run: RunState;
  readonly spec: JobSpec;
  readonly db: Database;
  readonly lease: Lease;
  readonly retryCount: number;
}

/**
 * ApplyBatch for a recipe. Returns the next run state for a DDL step, a gate or the end, or
 * `{ batch: run }` when the step is a batch of the backfill, which the ordinary batch code runs.
 */
export async function recipeStep(
  ctx: StepContext,
  deps: HandlerDeps,
): Promise<{ readonly next: RunState } | { readonly batch: RunState }> {
  const { run, db } = ctx;
  const { recipe } = requireRecipe(deps, run.jobId);
  // A backfill under way ends when its batches find nothing left, not by rescanning the table per batch.
  const running = phaseNamed(recipe, run.recipePhase);
  const phase = running?.kind === 'backfill' ? running : await currentPhase(recipe, db);
  if (!phase) {
    const head = await readLedger(db, ctx.spec);
    return { next: { ...run, recipePhase: undefined, decision: 'done', rowsDone: head?.rowsDone ?? 0 } };
  }
  if (phase.kind === 'backfill') {
    if (run.recipePhase !== phase.name) await prepare(db, phase);
    return { batch: { ...run, recipePhase: phase.name } };
  }
  return { next: await ddlStep(ctx, phase, deps) };
}

async function ddlStep(ctx: StepContext, phase: DdlPhase, deps: HandlerDeps): Promise<RunState> {
  const { run, spec, db } = ctx;
  const limits = recipeLimits(deps.settings, spec.id);
  const refusals = await phaseRefusals(db, phase, limits);
  if (refusals.length > 0) throw new RecipePhaseRefusedError(`recipe ${spec.id}: ${refusals.join(' ')}`);
  const blockers = await guardPhase(db, phase, await consentsOf(deps, spec.id), limits);
  if (blockers.length > 0) {
    // A gate reached mid-run: hold here (the health gate keeps the lease and honours pause and
    // abort) until an operator consents, as a new execution would stop at Blocked.
    deps.logger.warn('recipe phase waits for consent', { jobId: spec.id, phase: phase.name, blockers });
    return {
      ...run,
      decision: 'held',
      waitSeconds: deps.settings.backoffSeconds,
      health: { verdict: 'consent', reasons: blockers },
    };
  }
  try {
    await runDdlPhase(db, phase, {
      lockName: jobLockName(spec),
      lockTimeoutMs: spec.limits.lockTimeoutMs,
      // One attempt per ApplyBatch: the state machine's Retry is the back-off between attempts.
      retries: 0,
      backoffMs: 0,
      ...(limits.ceiling ? { ceiling: limits.ceiling } : {}),
      ...(limits.cleanupTimeoutMs ? { cleanupTimeoutMs: limits.cleanupTimeoutMs } : {}),
    });
  } catch (error) {
    if (error instanceof RecipeBusyError) {
      return { ...run, decision: 'held', waitSeconds: deps.settings.backoffSeconds };
    }
    const job = await deps.store.ensureJob(spec.id);
    const checkpoint = job.checkpoint ?? initialCheckpoint(spec, deps.now());
    throw await translateBatchError(error, {
      deps,
      spec,
      lease: ctx.lease,
      checkpoint,
      retryCount: ctx.retryCount,
    });
  }
  if (phase.notice) deps.logger.warn(phase.notice, { jobId: spec.id, phase: phase.name });
  else deps.logger.info('recipe phase applied', { jobId: spec.id, phase: phase.name });
  return { ...run, recipePhase: undefined, recipeStep: phase.name, decision: 'applied' };
}

/** The backfill's batches found nothing left: VerifyBatch reads the phase back from the catalog. */
export function backfillEnded(run: RunState, rowsDone: number): RunState {
  return { ...run, recipePhase: undefined, recipeStep: run.recipePhase, decision: 'applied', rowsDone };
}

/** VerifyBatch after a finished phase: its effect must now be in the catalog. */
export async function verifyRecipeStep(run: RunState, spec: JobSpec, deps: HandlerDeps): Promise<RunState> {
  const { recipe } = requireRecipe(deps, run.jobId);
  const phase: Phase | undefined = phaseNamed(recipe, run.recipeStep);
  if (!phase) throw new VerificationFailedError(`recipe ${recipe.id} has no phase '${run.recipeStep}'`);
  const db = await deps.connections.open(spec.database);
  if (!(await phase.done(db))) {
    throw new VerificationFailedError(
      `recipe ${recipe.id}: phase ${phase.name} finished, but the catalog does not show its effect; something undid it: find what, then start the recipe again`,
    );
  }
  return { ...run, recipeStep: undefined, decision: 'verified', waitSeconds: pacingSeconds(spec) };
}
