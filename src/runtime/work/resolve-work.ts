import { ROLLBACK_SUFFIX, rollbackJob, rollbackJobId } from '../../engine';
import type { JobSpec } from '../../job/types';
import { RecipeUnavailableError } from '../../recipes/errors';
import { type RecipeRegistration, recipeControlSpec } from '../../recipes/registration';
import type { ExecutionInput, RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { HandlerError } from '../errors';
import { jobWork } from './job-work';
import { recipeWork } from './recipe-work';
import type { Counterpart, Work } from './work';

/** The job named in a rollback input cannot be rolled back (custom kind, or it ran without rollback.audit). */
export class RollbackUnavailableError extends HandlerError {
  override readonly name = 'RollbackUnavailable';
}

/** What of a run decides which job it executes: the payload's id, and whether it is a rollback. */
export interface RunJobRef {
  readonly jobId: string;
  readonly rollback?: boolean;
  readonly force?: boolean;
  readonly recipe?: boolean;
}

/**
 * The control-state id an execution input runs under. A rollback gets its own id, so its lease,
 * checkpoint, pause and abort requests, status and history never mix with the original job's.
 */
export function runJobId(input: RunJobRef): string {
  return input.rollback ? rollbackJobId(input.jobId) : input.jobId;
}

/** The original job's id from a run's control-state id (the inverse of `runJobId`). */
export function inputJobId(run: RunJobRef): string {
  if (!run.rollback) return run.jobId;
  if (!run.jobId.endsWith(ROLLBACK_SUFFIX)) {
    throw new RollbackUnavailableError(
      `a rollback run's job id must end in ${ROLLBACK_SUFFIX}, got '${run.jobId}': start rollbacks with { jobId: <the original job>, rollback: true }`,
    );
  }
  return run.jobId.slice(0, -ROLLBACK_SUFFIX.length);
}

/**
 * The work a run executes: the one place that knows there are kinds of work. Every handler
 * resolves it here, from the run state (whose jobId is the control-state id), so a rollback and a
 * recipe run through the same handlers as any job.
 */
export function resolveWork(deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>, run: RunJobRef): Work {
  if (run.recipe) {
    const registration = requireRecipe(deps, run.jobId);
    return recipeWork(registration.recipe, recipeControlSpec(registration));
  }
  const spec = run.rollback
    ? rollbackOf(deps.resolveJob(inputJobId(run)), run.force ?? false)
    : deps.resolveJob(run.jobId);
  return jobWork(spec, counterpartOf(spec));
}

/** The job a run executes (its work's), for the steps that need only its id, database and limits. */
export function resolveRunJob(
  deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>,
  run: RunJobRef,
): JobSpec {
  return resolveWork(deps, run).spec;
}

/** For preflight: the work, or why it cannot run at all (the rollback of a job that keeps no audit). */
export function workToStart(
  deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>,
  run: RunJobRef,
): Work | { readonly unavailable: string } {
  try {
    return resolveWork(deps, run);
  } catch (error) {
    if (!(error instanceof RollbackUnavailableError)) throw error;
    return { unavailable: `rollback: ${error.message}` };
  }
}

function rollbackOf(original: JobSpec, force: boolean): JobSpec {
  try {
    return rollbackJob(original, { force });
  } catch (error) {
    throw new RollbackUnavailableError(
      `${(error as Error).message}; only update, delete and archive jobs with rollback: { audit: true } can be rolled back`,
      { cause: error },
    );
  }
}

/** The original for a rollback, the rollback for an audited original; jobs without audit have none. */
function counterpartOf(spec: JobSpec): Counterpart | undefined {
  if (spec.kind === 'rollback') {
    const original = spec.of.id;
    return {
      jobId: original,
      running: (busy) =>
        `running: job '${original}' is running (${busy}); a rollback never races the job it undoes: pause or abort it (lowtide pause ${original}) and start the rollback once it has stopped`,
    };
  }
  if (spec.kind === 'custom' || !spec.rollback.audit) return undefined;
  return {
    jobId: rollbackJobId(spec.id),
    running: (busy) =>
      `rolling back: the rollback of job '${spec.id}' is running (${busy}); let it finish, or pause it (lowtide pause ${spec.id}-rollback), before starting the job again`,
  };
}

/** The run state's fields that say which work an execution input names (beside its `jobId`). */
export function workFlagsOfInput(input: ExecutionInput): Pick<RunState, 'rollback' | 'force' | 'recipe'> {
  return {
    rollback: input.rollback ?? false,
    ...(input.rollback && input.force ? { force: true } : {}),
    ...(input.recipe ? { recipe: true } : {}),
  };
}

/** The inverse, for a successor's input: the flags that name the same work again. */
export function workFlagsOfRun(run: RunState): Pick<ExecutionInput, 'rollback' | 'force' | 'recipe'> {
  return {
    ...(run.rollback ? { rollback: true } : {}),
    ...(run.rollback && run.force ? { force: true } : {}),
    ...(run.recipe ? { recipe: true } : {}),
  };
}
/** The recipe a recipe run names, or RecipeUnavailableError saying how to register it. */
export function requireRecipe(
  deps: Pick<HandlerDeps, 'resolveRecipe'>,
  recipeId: string,
): RecipeRegistration {
  const found = deps.resolveRecipe?.(recipeId);
  if (!found) {
    throw new RecipeUnavailableError(
      `no recipe '${recipeId}' is registered with this runtime: pass it in the runtime's recipes, or start { jobId: '${recipeId}' } without recipe: true if it is a job`,
    );
  }
  return found;
}
