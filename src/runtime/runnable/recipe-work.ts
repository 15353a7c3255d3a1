import type { Database } from '../../db/types';
import { jobLockName, readLedger } from '../../engine';
import type { JobSpec } from '../../job/types';
import type { BackfillPhase, DdlPhase, Recipe } from '../../recipes';
import { guardPhase, phaseRefusals } from '../../recipes/phase-guard';
import { currentPhase, phaseNamed } from '../../recipes/registration';
import { RecipeBusyError, runDdlPhase } from '../../recipes/run-ddl';
import { jobPreflight } from '../../run/preflight-checks';
import { translateBatchError } from '../batch-errors';
import type { HandlerDeps } from '../deps';
import { RecipePhaseRefusedError, VerificationFailedError } from '../errors';
import { initialCheckpoint, pacingSeconds } from '../handlers/common';
import { planSummary } from '../plan-summary';
import { jobCeiling, recipeLimits } from '../statement-limits';
import { controlBlockers } from './control-blockers';
import { batchStep, ddlRulesOption, failedChecks, jobWork, openWithLedger } from './job-work';
import type { PreflightContext, StepContext, StepOutcome, Verified, Work, WorkPreflight } from './work';

/**
 * A recipe's run through the same state machine as a job. Preflight guards the phase the catalog
 * says is next; each ApplyBatch is one step of the current phase (one guarded DDL attempt under the
 * job's short lock timeout, whose lock timeouts the ASL retries, or one ordinary batch of the
 * backfill); VerifyBatch reads the phase's effect back from the catalog. A new execution finds
 * its phase again in the catalog, so it resumes where the last one stopped. The cursor is the
 * phase: `phase` the backfill under way, `verify` the phase the last step finished.
 *
 * `spec` is the job the recipe runs under (recipeControlSpec): its backfill's, renamed to the recipe.
 */
export function recipeWork(recipe: Recipe, spec: JobSpec): Work {
  const batches = jobWork(spec);
  return {
    spec,
    preflight: (ctx) => recipePreflight(ctx, recipe, spec),
    step: (ctx) => recipeStep(ctx, recipe, spec),
    verify: (ctx) =>
      ctx.run.cursor?.verify === undefined ? batches.verify(ctx) : verifyPhase(ctx, recipe, spec),
  };
}

interface PhasePreflight {
  readonly reasons: readonly string[];
  readonly phase?: string;
  readonly plan?: WorkPreflight['plan'];
}

/** The phase guard's limits where the run executes, with the repository's DDL rule settings. */
function phaseLimits(deps: HandlerDeps, spec: JobSpec, recipeId: string) {
  const rules = deps.ddlRulesFor?.(spec);
  return { ...recipeLimits(deps.settings, recipeId), ...(rules ? { rules } : {}) };
}

async function consentsOf(deps: HandlerDeps, recipeId: string) {
  const consents = (await deps.store.getJob(recipeId))?.ddlConsents ?? {};
  return async (fingerprint: string) => consents[fingerprint];
}

/** The control state's blockers, then the current phase's own guard. */
async function recipePreflight(ctx: PreflightContext, recipe: Recipe, spec: JobSpec): Promise<WorkPreflight> {
  const { deps, input } = ctx;
  const job = await deps.store.getJob(spec.id);
  const checked = await phasePreflight(ctx, recipe, spec);
  const reasons = [...controlBlockers(spec, job, input, undefined, deps.now()), ...checked.reasons];
  deps.logger.info('recipe preflight', { jobId: spec.id, phase: checked.phase, reasons });
  return { reasons, ...(checked.plan ? { plan: checked.plan } : {}) };
}

/** What keeps the recipe's next phase from running, read-only (ANALYZE aside, which a backfill's plan needs). */
async function phasePreflight(
  { deps, run }: PreflightContext,
  recipe: Recipe,
  spec: JobSpec,
): Promise<PhasePreflight> {
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
    const limits = phaseLimits(deps, spec, recipe.id);
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
    flags: { reader: deps.flags, refs: deps.flagsFor(spec) },
    writeVolume: { freeStorage: deps.freeStorageFor?.(spec) },
    // Read only if the guard meets a statement that needs consent: a backfill rarely carries DDL.
    consent: async (fingerprint) => (await consentsOf(deps, recipe.id))(fingerprint),
    ...ddlRulesOption(deps, spec),
  });
  return {
    phase: phase.name,
    reasons: failedChecks(report, `${phase.name}: `),
    plan: planSummary(spec, report),
  };
}

async function prepare(db: Database, phase: BackfillPhase): Promise<void> {
  for (const statement of phase.prepare ?? []) await db.query(statement);
}

/** ApplyBatch for a recipe: a DDL step, a gate, one batch of the backfill, or the end. */
async function recipeStep(ctx: StepContext, recipe: Recipe, spec: JobSpec): Promise<StepOutcome> {
  const db = await openWithLedger(ctx.deps, spec);
  const under = ctx.run.cursor?.phase;
  // A backfill under way ends when its batches find nothing left, not by rescanning the table per batch.
  const running = phaseNamed(recipe, under);
  const phase = running?.kind === 'backfill' ? running : await currentPhase(recipe, db);
  if (!phase) {
    const head = await readLedger(db, spec);
    return { cursor: undefined, decision: 'done', rowsDone: head?.rowsDone ?? 0 };
  }
  if (phase.kind === 'ddl') return ddlStep(ctx, spec, db, phase);
  if (under !== phase.name) await prepare(db, phase);
  const batch = await batchStep(ctx, spec, db);
  // The backfill's batches found nothing left: VerifyBatch reads the phase back from the catalog.
  if (batch.decision === 'done')
    return { cursor: { verify: phase.name }, decision: 'applied', rowsDone: batch.rowsDone };
  return { ...batch, cursor: { phase: phase.name } };
}

async function ddlStep(ctx: StepContext, spec: JobSpec, db: Database, phase: DdlPhase): Promise<StepOutcome> {
  const { deps } = ctx;
  const limits = phaseLimits(deps, spec, spec.id);
  const refusals = await phaseRefusals(db, phase, limits);
  if (refusals.length > 0) throw new RecipePhaseRefusedError(`recipe ${spec.id}: ${refusals.join(' ')}`);
  const blockers = await guardPhase(db, phase, await consentsOf(deps, spec.id), limits);
  if (blockers.length > 0) {
    // A gate reached mid-run: hold here (the health gate keeps the lease and honours pause and
    // abort) until an operator consents, as a new execution would stop at Blocked.
    deps.logger.warn('recipe phase waits for consent', { jobId: spec.id, phase: phase.name, blockers });
    return {
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
      return { decision: 'held', waitSeconds: deps.settings.backoffSeconds };
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
  return { cursor: { verify: phase.name }, decision: 'applied' };
}

/** VerifyBatch after a finished phase: its effect must now be in the catalog. */
async function verifyPhase({ deps, run }: StepContext, recipe: Recipe, spec: JobSpec): Promise<Verified> {
  const name = run.cursor?.verify;
  const phase = phaseNamed(recipe, name);
  if (!phase) throw new VerificationFailedError(`recipe ${recipe.id} has no phase '${name}'`);
  const db = await deps.connections.open(spec.database);
  if (!(await phase.done(db))) {
    throw new VerificationFailedError(
      `recipe ${recipe.id}: phase ${phase.name} finished, but the catalog does not show its effect; something undid it: find what, then start the recipe again`,
    );
  }
  return { cursor: undefined, decision: 'verified', waitSeconds: pacingSeconds(spec) };
}
