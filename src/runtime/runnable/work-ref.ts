import { ROLLBACK_SUFFIX, rollbackJob, rollbackJobId } from '../../engine';
import type { JobSpec } from '../../job/types';
import type { Recipe } from '../../recipes';
import { RecipeUnavailableError } from '../../recipes/errors';
import { type RecipeRegistration, recipeControlSpec } from '../../recipes/registration';
import type { ExecutionInput, RunState } from '../../run/state';
import type { HandlerDeps } from '../deps';
import { HandlerError } from '../errors';

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

/** The control-state id of an execution from its input as a JSON string; undefined when it names none. */
export function runJobIdOfInput(input: string | null | undefined): string | undefined {
  try {
    const parsed = JSON.parse(input ?? '') as { jobId?: unknown; rollback?: unknown };
    if (typeof parsed.jobId !== 'string') return undefined;
    return runJobId({ jobId: parsed.jobId, rollback: parsed.rollback === true });
  } catch {
    return undefined;
  }
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

/** What a run executes, before any work's code is loaded: the job it holds, and the recipe if it is one. */
export interface WorkSpec {
  readonly spec: JobSpec;
  readonly recipe?: Recipe;
}

/**
 * The one place that tells kinds of work apart, from the run state (whose jobId is the
 * control-state id), so a rollback and a recipe run through the same handlers as any job. Light on
 * purpose: the steps that never touch a database resolve their job here without bundling any
 * work's code (resolve-work.ts builds the Work itself).
 */
export function resolveWorkSpec(
  deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>,
  run: RunJobRef,
): WorkSpec {
  if (run.recipe) {
    const registration = requireRecipe(deps, run.jobId);
    return { spec: recipeControlSpec(registration), recipe: registration.recipe };
  }
  if (!run.rollback) return { spec: deps.resolveJob(run.jobId) };
  return { spec: rollbackOf(deps.resolveJob(inputJobId(run)), run.force ?? false) };
}

/** The job a run executes, for the steps that need only its id, database and limits. */
export function resolveRunJob(
  deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>,
  run: RunJobRef,
): JobSpec {
  return resolveWorkSpec(deps, run).spec;
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
