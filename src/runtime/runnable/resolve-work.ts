import { kindOf, rollbackJobId } from '../../engine';
import type { JobSpec } from '../../job/types';
import type { HandlerDeps } from '../deps';
import { jobWork } from './job-work';
import { recipeWork } from './recipe-work';
import type { Counterpart, Work } from './work';
import { RollbackUnavailableError, type RunJobRef, resolveWorkSpec } from './work-ref';

/** The work a run executes, resolved by its id (work-ref.ts): a recipe's phases, or a job's batches. */
export function resolveWork(deps: Pick<HandlerDeps, 'resolveJob' | 'resolveRecipe'>, run: RunJobRef): Work {
  const { spec, recipe } = resolveWorkSpec(deps, run);
  return recipe ? recipeWork(recipe, spec) : jobWork(spec, counterpartOf(spec));
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

/** The original for a rollback, the rollback for an audited original; jobs without audit have none. */
function counterpartOf(spec: JobSpec): Counterpart | undefined {
  const undone = kindOf(spec).undoes?.(spec);
  if (undone) {
    const original = undone.id;
    return {
      jobId: original,
      running: (busy) =>
        `running: job '${original}' is running (${busy}); a rollback never races the job it undoes: pause or abort it (lowtide pause ${original}) and start the rollback once it has stopped`,
    };
  }
  if (!kindOf(spec).audited(spec)) return undefined;
  return {
    jobId: rollbackJobId(spec.id),
    running: (busy) =>
      `rolling back: the rollback of job '${spec.id}' is running (${busy}); let it finish, or pause it (lowtide pause ${spec.id}-rollback), before starting the job again`,
  };
}
