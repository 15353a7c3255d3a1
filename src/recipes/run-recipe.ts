import { guardPhase } from './phase-guard';
import { runDdlPhase } from './run-ddl';
import type { BackfillPhase, PhaseReport, Recipe, RecipeResult, RecipeRunOptions } from './types';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runBackfill(phase: BackfillPhase, options: RecipeRunOptions): Promise<PhaseReport> {
  for (const statement of phase.prepare ?? []) await options.db.query(statement);
  const run = await options.runJob(phase.job);
  if (run.exit === 'Completed') return { phase: phase.name, outcome: 'applied' };
  const why = run.reasons?.length ? `: ${run.reasons.join('; ')}` : '';
  return {
    phase: phase.name,
    outcome: 'blocked',
    detail: `backfill job ${phase.job.id} ended ${run.exit}${why}; resolve it and run the recipe again`,
  };
}

/**
 * Runs a recipe's phases in order. Progress is read back from the catalog, never assumed: each
 * phase first asks whether its effect is already there, so a rerun (after a failure, a consent or
 * a crash) skips what is done and resumes at the first phase that is not. A DDL phase passes its
 * own guard, then runs under a short lock timeout with retries; a backfill phase is an ordinary
 * job; a phase whose statement needs an operator's consent ends the run blocked until it is given.
 */
export async function runRecipe(recipe: Recipe, options: RecipeRunOptions): Promise<RecipeResult> {
  const { db } = options;
  const reports: PhaseReport[] = [];
  const report = (r: PhaseReport) => {
    reports.push(r);
    options.onPhase?.(r);
    return r;
  };
  const end = (status: RecipeResult['status'], reasons: string[]): RecipeResult => ({
    recipeId: recipe.id,
    status,
    phases: reports,
    reasons,
  });
  if (db.engine !== recipe.engine) {
    return end('failed', [`recipe ${recipe.id} is for ${recipe.engine}, but the database is ${db.engine}`]);
  }

  for (const phase of recipe.phases) {
    if (await phase.done(db)) {
      report({ phase: phase.name, outcome: 'skipped', detail: 'already done' });
      continue;
    }
    if (phase.kind === 'backfill') {
      const r = report(await runBackfill(phase, options));
      if (r.outcome !== 'applied') return end('blocked', [r.detail ?? phase.name]);
      continue;
    }
    const blockers = await guardPhase(db, phase, options.consents, {
      recipeId: recipe.id,
      ...(options.ceiling ? { ceiling: options.ceiling } : {}),
      ...(options.scanMbPerSecond ? { scanMbPerSecond: options.scanMbPerSecond } : {}),
      ...(options.ddlRules ? { rules: options.ddlRules } : {}),
    });
    if (blockers.length > 0) {
      report({ phase: phase.name, outcome: 'blocked', detail: blockers.join(' ') });
      return end('blocked', blockers);
    }
    try {
      const retries = await runDdlPhase(db, phase, {
        lockName: `lowtide:${recipe.id}`,
        lockTimeoutMs: options.lockTimeoutMs ?? 2000,
        retries: options.retries ?? 10,
        backoffMs: options.backoffMs ?? 500,
        ...(options.ceiling ? { ceiling: options.ceiling } : {}),
      });
      report({
        phase: phase.name,
        outcome: 'applied',
        retries,
        ...(phase.notice ? { detail: phase.notice } : {}),
      });
    } catch (error) {
      const detail = `${phase.name} failed: ${errorText(error)}; fix the cause and run the recipe again (it resumes at this phase)`;
      report({ phase: phase.name, outcome: 'failed', detail });
      return end('failed', [detail]);
    }
  }
  return end('completed', []);
}
