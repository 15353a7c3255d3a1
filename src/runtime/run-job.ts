import { ROLLBACK_SUFFIX, rollbackJob, rollbackJobId } from '../engine';
import type { JobSpec } from '../job/types';
import { RecipeUnavailableError } from '../recipes/errors';
import { type RecipeRegistration, recipeControlSpec } from '../recipes/registration';
import type { HandlerDeps } from './deps';
import { HandlerError } from './errors';

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

/**
 * The job a run executes. Every handler resolves it here, from the run state (whose jobId is the
 * control-state id), so a rollback runs through the same handlers as the job it undoes.
 */
export function resolveRunJob(
  deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>,
  run: RunJobRef,
): JobSpec {
  if (run.recipe) return recipeControlSpec(requireRecipe(deps, run.jobId));
  if (!run.rollback) return deps.resolveJob(run.jobId);
  const original = deps.resolveJob(inputJobId(run));
  try {
    return rollbackJob(original, { force: run.force ?? false });
  } catch (error) {
    throw new RollbackUnavailableError(
      `${(error as Error).message}; only update, delete and archive jobs with rollback: { audit: true } can be rolled back`,
      { cause: error },
    );
  }
}

/**
 * The job that must not run at the same time as `spec`: the original for a rollback, the rollback
 * for an original. They take different advisory locks, so the control state is what keeps them apart.
 */
export function counterpartJobId(spec: JobSpec): string | undefined {
  if (spec.kind === 'rollback') return spec.of.id;
  if (spec.kind === 'custom' || !spec.rollback.audit) return undefined;
  return rollbackJobId(spec.id);
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
