import { applyBatchCeiling, DDL_CLEANUP_TIMEOUT_MS } from '../config/function-timeouts';
import { PREFLIGHT_CHECKS, type PreflightCheck, statementCeilingCheck } from '../engine';
import type { StatementCeiling } from '../job/statement-ceiling';
import type { PhaseGuardLimits } from '../recipes/phase-guard';
import type { RuntimeSettings } from './deps';

/** The ceiling on one statement of a job's batch where this runtime runs it; none locally. */
export function jobCeiling(settings: RuntimeSettings): StatementCeiling | undefined {
  const seconds = settings.applyBatchTimeoutSeconds;
  return seconds === undefined ? undefined : applyBatchCeiling('job', seconds);
}

/** A job's preflight checks here: the engine's, and on Lambda its statement timeout against the function's. */
export function runtimePreflightChecks(settings: RuntimeSettings): PreflightCheck[] {
  const ceiling = jobCeiling(settings);
  return ceiling ? [...PREFLIGHT_CHECKS, statementCeilingCheck(ceiling)] : [...PREFLIGHT_CHECKS];
}

/** What a recipe's DDL phase is checked against and runs under here. */
export function recipeLimits(
  settings: RuntimeSettings,
  recipeId: string,
): PhaseGuardLimits & { readonly cleanupTimeoutMs?: number } {
  const seconds = settings.applyBatchTimeoutSeconds;
  return {
    recipeId,
    scanMbPerSecond: settings.ddlScanMbPerSecond,
    ...(seconds === undefined
      ? {}
      : { ceiling: applyBatchCeiling('recipe', seconds), cleanupTimeoutMs: DDL_CLEANUP_TIMEOUT_MS }),
  };
}
